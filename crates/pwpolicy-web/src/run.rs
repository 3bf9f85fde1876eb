//! Start-up: the policy, the certificate, the page's files and where
//! changes go, each checked before the port opens; then serve.

use std::path::Path;

use anyhow::Context as _;

use crate::app::App;
use crate::change::Destinations;

/// Loads everything `[web]` names and serves until the process ends.
/// Prints `listening on ADDRESS` to standard error once the port is open.
///
/// # Errors
///
/// The policy file, the certificate or key, the page's files or the
/// address cannot be used: nothing is served.
pub fn run(config: Option<&Path>, assets: Option<&Path>) -> anyhow::Result<()> {
    let loaded = pwpolicy_host::policy_file::load(config)?;
    let policy = loaded.policy;
    let web = policy.web.clone();
    let (Some(cert), Some(key)) = (&web.cert_file, &web.key_file) else {
        anyhow::bail!(
            "the page is off until [web] cert_file and key_file are set in {}",
            loaded
                .source
                .as_deref()
                .unwrap_or(Path::new(pwpolicy_host::DEFAULT_POLICY_PATH))
                .display()
        );
    };
    let tls = crate::tls::server_config(Path::new(cert), Path::new(key))?;
    let assets = assets.map_or_else(|| Path::new(&web.assets).to_owned(), Path::to_owned);
    let destinations = Destinations::from_policy(&policy)?;
    if destinations.local.is_none() && destinations.directory.is_none() {
        tracing::warn!(
            "neither [web] pam_service nor [directory] url is set: every change will be refused"
        );
    }
    let router = App::new(policy, &assets, destinations)?.router();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&web.listen)
            .await
            .with_context(|| format!("cannot listen on {}", web.listen))?;
        eprintln!("listening on {}", listener.local_addr()?);
        crate::serve::serve(
            listener,
            tls,
            router,
            web.max_connections as usize,
            crate::serve::Timeouts {
                handshake: std::time::Duration::from_secs(web.client_timeout_seconds.into()),
                headers: std::time::Duration::from_secs(web.client_timeout_seconds.into()),
                ..crate::serve::Timeouts::default()
            },
        )
        .await?;
        Ok(())
    })
}
