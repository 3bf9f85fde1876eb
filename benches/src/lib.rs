//! Benchmark corpus shared by the criterion benches and the peer harness.
