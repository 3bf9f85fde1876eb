//! The listener: TLS only, a cap on open connections, and time limits on
//! every stage a slow or silent client could hold a connection in.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use crate::app::Peer;

/// How long a client has for each stage.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// The TLS handshake.
    pub handshake: Duration,
    /// A request's headers, from the first byte (slowloris).
    pub headers: Duration,
    /// The whole connection, however many requests it carries.
    pub connection: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            handshake: Duration::from_secs(10),
            headers: Duration::from_secs(10),
            connection: Duration::from_secs(120),
        }
    }
}

/// The largest request head hyper buffers.
const MAX_HEAD_BYTES: usize = 16 * 1024;

/// Serves `router` over TLS on `listener` until the process ends, at most
/// `max_connections` connections at once (more wait in the backlog).
pub async fn serve(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    router: Router,
    max_connections: usize,
    timeouts: Timeouts,
) -> std::io::Result<()> {
    let acceptor = TlsAcceptor::from(tls);
    let slots = Arc::new(Semaphore::new(max_connections));
    loop {
        let Ok(permit) = Arc::clone(&slots).acquire_owned().await else {
            return Ok(());
        };
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait, do not spin.
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let router = router.clone();
        tokio::spawn(async move {
            let _permit = permit;
            connection(tcp, peer, acceptor, router, timeouts).await;
        });
    }
}

async fn connection(
    tcp: tokio::net::TcpStream,
    peer: SocketAddr,
    acceptor: TlsAcceptor,
    router: Router,
    timeouts: Timeouts,
) {
    let _ = tcp.set_nodelay(true);
    let tls = match tokio::time::timeout(timeouts.handshake, acceptor.accept(tcp)).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            tracing::debug!(address = %peer.ip(), "TLS handshake failed: {e}");
            return;
        }
        Err(_) => {
            tracing::debug!(address = %peer.ip(), "TLS handshake timed out");
            return;
        }
    };
    let service = TowerToHyperService::new(router.layer(axum::Extension(Peer(peer.ip()))));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(timeouts.headers)
        .max_buf_size(MAX_HEAD_BYTES.max(8192));
    let serving = http.serve_connection(TokioIo::new(tls), service);
    if tokio::time::timeout(timeouts.connection, serving)
        .await
        .is_err()
    {
        tracing::debug!(address = %peer.ip(), "connection closed at its time limit");
    }
}
