//! Who may do what, decided from the kernel's word on the caller
//! (`SO_PEERCRED`), never from anything the client says about itself.

use pwpolicy_backend::wire::Request;

/// The process at the other end of a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// Its user id.
    pub uid: u32,
    /// Its process id.
    pub pid: i32,
    /// Its user name, if the uid has one.
    pub name: Option<String>,
    /// Root, or a member of the admin group.
    pub admin: bool,
    /// The account the self-service page runs as (`[web] user`).
    pub web: bool,
}

/// Whether `peer` may make `request`: a change through PAM root and the
/// page's account only (not the admin group: it changes passwords as their
/// owners); administrators anything else; anyone their own status and a
/// check of a candidate for themselves; nothing else.
pub fn authorize(peer: &Peer, request: &Request) -> Result<(), &'static str> {
    if let Request::PamChange { .. } = request {
        return if peer.uid == 0 || peer.web {
            Ok(())
        } else {
            Err("only root and the self-service page's account ([web] user) may do this")
        };
    }
    if peer.admin {
        return Ok(());
    }
    let own = |user: &str| peer.name.as_deref() == Some(user);
    match request {
        Request::Status { user: None } => Ok(()),
        Request::Status { user: Some(user) } if own(user) => Ok(()),
        Request::Check { user: None, .. } => Ok(()),
        Request::Check {
            user: Some(user), ..
        } if own(user) => Ok(()),
        Request::Status { .. } | Request::Check { .. } => {
            Err("you may ask only about your own account")
        }
        Request::Commit { .. }
        | Request::Change { .. }
        | Request::Report { .. }
        | Request::List { .. }
        | Request::Reminder { .. }
        | Request::Expire { .. }
        | Request::SetChanged { .. } => Err("only root and the admin group may do this"),
        Request::PamChange { .. } => Err("unreachable: decided above"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pwpolicy_backend::wire::Secret;

    fn peer(name: &str, admin: bool) -> Peer {
        Peer {
            uid: 1000,
            pid: 1,
            name: Some(name.into()),
            admin,
            web: name == "pwpolicy-web",
        }
    }

    fn check(user: &str) -> Request {
        Request::Check {
            user: Some(user.into()),
            full_name: None,
            password: Secret(zeroize::Zeroizing::new("x".into())),
            enforce_min_age: true,
            prepare: false,
        }
    }

    #[test]
    fn ordinary_users_see_only_themselves() {
        let erin = peer("erin", false);
        assert!(authorize(&erin, &Request::Status { user: None }).is_ok());
        assert!(
            authorize(
                &erin,
                &Request::Status {
                    user: Some("erin".into())
                }
            )
            .is_ok()
        );
        assert!(
            authorize(
                &erin,
                &Request::Status {
                    user: Some("john".into())
                }
            )
            .is_err()
        );
        assert!(authorize(&erin, &check("erin")).is_ok());
        assert!(authorize(&erin, &check("john")).is_err());
        assert!(
            authorize(
                &erin,
                &Request::Report {
                    expiring_within: 1,
                    compact: false
                }
            )
            .is_err()
        );
        assert!(authorize(&erin, &Request::List { compact: false }).is_err());
        assert!(
            authorize(
                &erin,
                &Request::Expire {
                    user: "erin".into(),
                    create: false,
                }
            )
            .is_err()
        );
        let nameless = Peer { name: None, ..erin };
        assert!(authorize(&nameless, &check("")).is_err());
    }

    fn pam_change() -> Request {
        Request::PamChange {
            user: "erin".into(),
            current: Secret(zeroize::Zeroizing::new("x".into())),
            new: Secret(zeroize::Zeroizing::new("y".into())),
        }
    }

    #[test]
    fn only_root_and_the_pages_account_change_through_pam() {
        assert!(authorize(&peer("pwpolicy-web", false), &pam_change()).is_ok());
        let root = Peer {
            uid: 0,
            ..peer("root", true)
        };
        assert!(authorize(&root, &pam_change()).is_ok());
        assert!(
            authorize(&peer("ops", true), &pam_change()).is_err(),
            "admin group"
        );
        assert!(authorize(&peer("erin", false), &pam_change()).is_err());
        // The page's account is no administrator otherwise.
        assert!(authorize(&peer("pwpolicy-web", false), &check("erin")).is_err());
    }

    #[test]
    fn admins_may_do_everything() {
        let admin = peer("ops", true);
        assert!(
            authorize(
                &admin,
                &Request::Report {
                    expiring_within: 1,
                    compact: false
                }
            )
            .is_ok()
        );
        assert!(authorize(&admin, &check("erin")).is_ok());
    }
}
