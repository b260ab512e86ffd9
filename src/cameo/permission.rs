//! Who may cast an avatar: one pure decision, used by the casting check, the castable list's
//! re-check and the lease revision after a change, and tested as a matrix without a database.

use protocol::avatar::Audience;

/// What the decision needs to know about one caster and one avatar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caster {
    pub is_owner: bool,
    /// On the owner's approved list.
    pub approved: bool,
    /// On the owner's blocked list.
    pub blocked: bool,
    /// Follows the owner and is followed back.
    pub mutual: bool,
}

/// Whether the caster may use the avatar under `who` (a ready avatar; revoked ones never).
pub fn permits(who: Audience, c: Caster) -> bool {
    if c.is_owner {
        return true;
    }
    if c.blocked {
        return false;
    }
    match who {
        Audience::OnlyMe => false,
        Audience::Approved => c.approved,
        Audience::Mutuals => c.mutual,
        Audience::Everyone => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_permission_matrix() {
        use Audience::*;
        // (audience, approved, blocked, mutual) -> permitted, for a caster who is not the owner.
        let cases = [
            (OnlyMe, false, false, false, false),
            (OnlyMe, true, false, true, false),
            (Approved, false, false, false, false),
            (Approved, true, false, false, true),
            (Approved, false, false, true, false),
            (Approved, true, true, false, false),
            (Mutuals, false, false, false, false),
            (Mutuals, false, false, true, true),
            (Mutuals, true, false, false, false),
            (Mutuals, false, true, true, false),
            (Everyone, false, false, false, true),
            (Everyone, false, true, false, false),
            (Everyone, true, true, true, false),
        ];
        for (who, approved, blocked, mutual, expected) in cases {
            let c = Caster {
                is_owner: false,
                approved,
                blocked,
                mutual,
            };
            assert_eq!(
                permits(who, c),
                expected,
                "{who:?} approved={approved} blocked={blocked} mutual={mutual}"
            );
        }
        for who in [OnlyMe, Approved, Mutuals, Everyone] {
            let owner = Caster {
                is_owner: true,
                approved: false,
                blocked: false,
                mutual: false,
            };
            assert!(permits(who, owner), "the owner may always cast their avatar");
        }
    }
}
