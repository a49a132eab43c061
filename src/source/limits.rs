//! How many files may be open at once.
//!
//! A watch of many files needs one descriptor per file it reads. At start the soft open-file limit
//! is raised to the hard one (what an unprivileged process may do), and the follower keeps its
//! open files below the limit with room to spare for everything else the process opens
//! (checkpoints, directory listings, the watcher, standard streams).

use nix::sys::resource::{getrlimit, setrlimit, Resource};

/// The largest soft limit asked for when the hard limit is unlimited (the kernel refuses more than
/// `fs.nr_open`, 1048576 by default).
const UNLIMITED_ASK: u64 = 1 << 20;

/// Descriptors left for everything but followed files: at least this many, or an eighth of the
/// limit.
const RESERVE: u64 = 32;

/// The open-file limit and how many followed files may be open under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenFiles {
    /// The soft limit in force.
    pub limit: u64,
    /// Followed files kept open at most.
    pub cap: usize,
}

/// Raise the soft open-file limit to the hard one if it is lower, and say how many followed files
/// may be open under the result.
pub fn raise_open_files() -> OpenFiles {
    let limit = match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, hard)) => {
            let want = hard.min(UNLIMITED_ASK).max(soft);
            if want > soft && setrlimit(Resource::RLIMIT_NOFILE, want, hard).is_ok() {
                want
            } else {
                soft
            }
        }
        // Unknown: assume the common default.
        Err(_) => 1024,
    };
    OpenFiles {
        limit,
        cap: cap_for(limit),
    }
}

fn cap_for(limit: u64) -> usize {
    let reserve = RESERVE.max(limit / 8);
    usize::try_from(limit.saturating_sub(reserve).max(1)).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_room_for_everything_else() {
        assert_eq!(cap_for(64), 32);
        assert_eq!(cap_for(1024), 896);
        assert_eq!(cap_for(5), 1);
    }
}
