//! Who is running carepath, from the operating system (not `$USER`, which anyone can set): the
//! effective uid and the user name the passwd database gives for it.

/// The OS identity recorded in every audit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub uid: u32,
    /// User name from the passwd database; `uid <n>` when the uid has no entry (containers).
    pub user: String,
}

impl Identity {
    /// The effective user of this process.
    pub fn current() -> Identity {
        let uid = effective_uid();
        let user = user_name(uid).unwrap_or_else(|| format!("uid {uid}"));
        Identity { uid, user }
    }
}

#[cfg(unix)]
fn effective_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

#[cfg(not(unix))]
fn effective_uid() -> u32 {
    0
}

/// The passwd entry's name for `uid`, via the re-entrant `getpwuid_r` (buffer grown on ERANGE).
#[cfg(unix)]
fn user_name(uid: u32) -> Option<String> {
    let mut size = 1024usize;
    while size <= 1 << 20 {
        let mut buf: Vec<libc::c_char> = vec![0; size];
        // SAFETY: zeroed passwd is a valid out-parameter; buf outlives the call and its length
        // is passed; result is only read when getpwuid_r reports success.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
        if rc == libc::ERANGE {
            size *= 2;
            continue;
        }
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        // SAFETY: on success pw_name points at a NUL-terminated string inside buf.
        let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
        return Some(name.to_string_lossy().into_owned());
    }
    None
}

#[cfg(not(unix))]
fn user_name(_uid: u32) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn identity_ignores_user_variable() {
        let a = super::Identity::current();
        // The name comes from the passwd database for the effective uid, whatever $USER says.
        assert!(!a.user.is_empty());
        assert_eq!(a, super::Identity::current());
    }
}
