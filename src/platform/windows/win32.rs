//! The Win32 calls the Windows pieces share: this user's security (the
//! pipe's DACL, its owner), UTF-16 strings, and the desktop thread: one
//! thread with a hidden top-level window that receives what Windows
//! broadcasts (time change, suspend and resume, session lock) and hosts the
//! tray icon, whose Win32 message loop must run on the thread that made it.
//! It talks to the runtime through channels; the runtime wakes it with a
//! posted message.

use std::ffi::c_void;
use std::io;
use std::sync::mpsc as std_mpsc;
use std::sync::{Mutex, OnceLock};

use tokio::sync::Notify;
use tracing::{debug, warn};
use windows_sys::Win32::Foundation::{
    CloseHandle, GetLastError, HANDLE, HLOCAL, HWND, LPARAM, LRESULT, LocalFree, WPARAM,
};
use windows_sys::Win32::Security::Authorization::{
    ConvertSidToStringSidW, ConvertStringSecurityDescriptorToSecurityDescriptorW, GetSecurityInfo,
    SDDL_REVISION_1, SE_KERNEL_OBJECT,
};
use windows_sys::Win32::Security::{
    EqualSid, GetTokenInformation, OWNER_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR, PSID,
    SECURITY_ATTRIBUTES, TOKEN_QUERY, TOKEN_USER, TokenUser,
};
use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleW, GetProcAddress};
use windows_sys::Win32::System::RemoteDesktop::{
    NOTIFY_FOR_THIS_SESSION, WTSRegisterSessionNotification,
};
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    CreateWindowExW, DefWindowProcW, DispatchMessageW, GetMessageW, MSG, PBT_APMRESUMEAUTOMATIC,
    PBT_APMRESUMESUSPEND, PBT_APMSUSPEND, PostMessageW, PostQuitMessage, RegisterClassW,
    TranslateMessage, WM_APP, WM_POWERBROADCAST, WM_TIMECHANGE, WM_WTSSESSION_CHANGE, WNDCLASSW,
    WS_OVERLAPPED, WTS_SESSION_LOCK, WTS_SESSION_UNLOCK,
};

/// `s` as a NUL-terminated UTF-16 string.
/// Whether this runs under wine: its ntdll exports `wine_get_version`,
/// Windows' does not.
pub fn under_wine() -> bool {
    let ntdll = wide("ntdll.dll");
    // SAFETY: a NUL-terminated name; ntdll is loaded in every process and
    // the handle is not freed. The export is only looked up, never called.
    unsafe {
        let module = GetModuleHandleW(ntdll.as_ptr());
        !module.is_null() && GetProcAddress(module, c"wine_get_version".as_ptr().cast()).is_some()
    }
}

pub fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

/// A NUL-terminated UTF-16 string from Windows, as Rust's.
///
/// # Safety
/// `p` points at a NUL-terminated UTF-16 string.
unsafe fn from_wide(p: *const u16) -> String {
    let mut n = 0;
    // SAFETY: the caller's promise: readable up to and with its NUL.
    while unsafe { *p.add(n) } != 0 {
        n += 1;
    }
    // SAFETY: the `n` units before the NUL, read above.
    String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(p, n) })
}

/// This process's user: its SID, in a buffer of its own.
struct UserSid {
    /// A TOKEN_USER and the SID it points into.
    buf: Vec<u64>,
}

impl UserSid {
    fn current() -> io::Result<UserSid> {
        let mut token: HANDLE = std::ptr::null_mut();
        // SAFETY: a pseudo-handle of our process and an out-pointer.
        if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
            return Err(io::Error::last_os_error());
        }
        let mut buf = vec![0u64; 64];
        let mut len = 0u32;
        // SAFETY: `buf` is writable for the length given; `token` is ours.
        let ok = unsafe {
            GetTokenInformation(
                token,
                TokenUser,
                buf.as_mut_ptr().cast(),
                (buf.len() * 8) as u32,
                &mut len,
            )
        };
        let err = io::Error::last_os_error();
        // SAFETY: the token opened above, closed once.
        unsafe { CloseHandle(token) };
        if ok == 0 {
            return Err(err);
        }
        Ok(UserSid { buf })
    }

    fn psid(&self) -> PSID {
        // SAFETY: `buf` holds the TOKEN_USER written by GetTokenInformation.
        unsafe { (*self.buf.as_ptr().cast::<TOKEN_USER>()).User.Sid }
    }

    /// "S-1-5-21-…".
    fn string(&self) -> io::Result<String> {
        let mut s: *mut u16 = std::ptr::null_mut();
        // SAFETY: a valid SID in; Windows allocates the string, freed below.
        if unsafe { ConvertSidToStringSidW(self.psid(), &mut s) } == 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a NUL-terminated string from Windows, freed once.
        let out = unsafe { from_wide(s) };
        unsafe { LocalFree(s as HLOCAL) };
        Ok(out)
    }
}

/// Security attributes that let only this user (and nobody else, not even
/// administrators through the default DACL) open an object.
pub struct UserSecurity {
    descriptor: PSECURITY_DESCRIPTOR,
    attributes: SECURITY_ATTRIBUTES,
}

// SAFETY: the descriptor is a LocalAlloc'd block owned by this value and
// only read by Windows.
unsafe impl Send for UserSecurity {}
unsafe impl Sync for UserSecurity {}

impl UserSecurity {
    pub fn current_user_only() -> io::Result<UserSecurity> {
        let sid = UserSid::current()?.string()?;
        // Owned by this user (not the token's default owner, which for an
        // administrator is the Administrators group), with a protected DACL
        // that gives this user's SID alone all access.
        let sddl = wide(&format!("O:{sid}D:P(A;;GA;;;{sid})"));
        let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
        // SAFETY: a NUL-terminated SDDL string; Windows allocates the
        // descriptor, freed in Drop.
        let ok = unsafe {
            ConvertStringSecurityDescriptorToSecurityDescriptorW(
                sddl.as_ptr(),
                SDDL_REVISION_1,
                &mut descriptor,
                std::ptr::null_mut(),
            )
        };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(UserSecurity {
            descriptor,
            attributes: SECURITY_ATTRIBUTES {
                nLength: std::mem::size_of::<SECURITY_ATTRIBUTES>() as u32,
                lpSecurityDescriptor: descriptor,
                bInheritHandle: 0,
            },
        })
    }

    /// For `CreateNamedPipe` and friends; valid while `self` lives.
    pub fn attributes(&self) -> *mut c_void {
        (&self.attributes as *const SECURITY_ATTRIBUTES)
            .cast_mut()
            .cast()
    }
}

impl Drop for UserSecurity {
    fn drop(&mut self) {
        // SAFETY: allocated by ConvertStringSecurityDescriptor…, freed once.
        unsafe { LocalFree(self.descriptor as HLOCAL) };
    }
}

/// Whether the object behind `handle` (the daemon's pipe) is owned by
/// this user.
pub fn owned_by_this_user(handle: &impl std::os::windows::io::AsRawHandle) -> io::Result<bool> {
    let me = UserSid::current()?;
    let mut owner: PSID = std::ptr::null_mut();
    let mut sd: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: a live handle; `owner` points into `sd`, which Windows
    // allocates and is freed below.
    let err = unsafe {
        GetSecurityInfo(
            handle.as_raw_handle() as HANDLE,
            SE_KERNEL_OBJECT,
            OWNER_SECURITY_INFORMATION,
            &mut owner,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut sd,
        )
    };
    if err != 0 {
        return Err(io::Error::from_raw_os_error(err as i32));
    }
    // SAFETY: two valid SIDs; `sd` freed once.
    let same = !owner.is_null() && unsafe { EqualSid(owner, me.psid()) } != 0;
    unsafe { LocalFree(sd as HLOCAL) };
    Ok(same)
}

/// Set when the wall clock may have jumped: the system time was set, or
/// the machine resumed. The timer waits on it.
pub static CLOCK_CHANGED: Notify = Notify::const_new();

/// What the runtime asks of the desktop thread.
pub enum ToThread {
    /// Run `f` on the desktop thread (the tray is made and changed there).
    Run(Box<dyn FnOnce() + Send>),
    /// End the message loop.
    Quit,
}

/// The desktop thread, started once.
pub struct DesktopThread {
    hwnd: usize,
    to: Mutex<std_mpsc::Sender<ToThread>>,
}

const WM_FROM_RUNTIME: u32 = WM_APP + 1;

/// What the session's messages say, for the presence sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEvent {
    /// The machine is about to sleep (Windows waits for nobody).
    Suspending,
    /// The machine woke.
    Resumed,
    /// The session was locked (`true`) or unlocked.
    Locked(bool),
}

/// Where the session's events go (set by the presence sources).
type SessionSink = Box<dyn Fn(SessionEvent) + Send>;
static SESSION: Mutex<Option<SessionSink>> = Mutex::new(None);
/// What the runtime sent, read when the window gets `WM_FROM_RUNTIME`.
static FROM_RUNTIME: Mutex<Option<std_mpsc::Receiver<ToThread>>> = Mutex::new(None);

impl DesktopThread {
    /// The thread, started on first use. `Err`: its window could not be made.
    pub fn get() -> Result<&'static DesktopThread, String> {
        static THREAD: OnceLock<Result<DesktopThread, String>> = OnceLock::new();
        THREAD.get_or_init(start).as_ref().map_err(Clone::clone)
    }

    /// Runs `f` on the desktop thread, soon; never waits.
    pub fn run(&self, f: impl FnOnce() + Send + 'static) {
        self.send(ToThread::Run(Box::new(f)));
    }

    pub fn quit(&self) {
        self.send(ToThread::Quit);
    }

    fn send(&self, m: ToThread) {
        if let Ok(to) = self.to.lock() {
            let _ = to.send(m);
        }
        // SAFETY: posting to our own window; a window gone is an error
        // return, nothing worse.
        unsafe { PostMessageW(self.hwnd as HWND, WM_FROM_RUNTIME, 0, 0) };
    }
}

/// The session's events from the desktop thread go to `sink` from now on.
pub fn report_session_to(sink: impl Fn(SessionEvent) + Send + 'static) {
    if let Ok(mut p) = SESSION.lock() {
        *p = Some(Box::new(sink));
    }
}

fn report(e: SessionEvent) {
    if let Ok(p) = SESSION.lock()
        && let Some(sink) = p.as_ref()
    {
        sink(e);
    }
}

fn start() -> Result<DesktopThread, String> {
    let (to, from) = std_mpsc::channel();
    let (made_tx, made_rx) = std_mpsc::channel();
    std::thread::Builder::new()
        .name("unhunch-desktop".into())
        .spawn(move || {
            // SAFETY: window calls on this thread, which owns the window.
            if let Ok(mut f) = FROM_RUNTIME.lock() {
                *f = Some(from);
            }
            let made = unsafe { make_window() }.map(|h| h as usize);
            let failed = made.is_err();
            let _ = made_tx.send(made);
            if failed {
                return;
            }
            // SAFETY: the message loop of this thread's windows (ours and
            // the tray icon's).
            unsafe {
                let mut msg: MSG = std::mem::zeroed();
                while GetMessageW(&mut msg, std::ptr::null_mut(), 0, 0) > 0 {
                    TranslateMessage(&msg);
                    DispatchMessageW(&msg);
                }
            }
            debug!("the desktop thread ended");
        })
        .map_err(|e| e.to_string())?;
    let hwnd = made_rx
        .recv()
        .map_err(|_| "the desktop thread ended at once".to_string())??;
    Ok(DesktopThread {
        hwnd,
        to: Mutex::new(to),
    })
}

/// A hidden top-level window (message-only windows get no broadcasts).
///
/// # Safety
/// Called on the thread that will run its message loop.
unsafe fn make_window() -> Result<HWND, String> {
    let class = wide("unhunch-desktop");
    // SAFETY: our own module's handle; a class with a static name and proc.
    let hinstance = unsafe { GetModuleHandleW(std::ptr::null()) };
    let wc = WNDCLASSW {
        lpfnWndProc: Some(window_proc),
        hInstance: hinstance,
        lpszClassName: class.as_ptr(),
        // SAFETY: all-zero is the documented "none" for the other fields.
        ..unsafe { std::mem::zeroed() }
    };
    // SAFETY: `wc` is complete; its strings outlive the call.
    if unsafe { RegisterClassW(&wc) } == 0 {
        return Err(format!("RegisterClassW: {}", io::Error::last_os_error()));
    }
    let title = wide("unhunch");
    // SAFETY: a class registered above; no parent, never shown.
    let hwnd = unsafe {
        CreateWindowExW(
            0,
            class.as_ptr(),
            title.as_ptr(),
            WS_OVERLAPPED,
            0,
            0,
            0,
            0,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            hinstance,
            std::ptr::null(),
        )
    };
    if hwnd.is_null() {
        return Err(format!("CreateWindowExW: {}", io::Error::last_os_error()));
    }
    // SAFETY: our window; lock and unlock of this session come to it.
    if unsafe { WTSRegisterSessionNotification(hwnd, NOTIFY_FOR_THIS_SESSION) } == 0 {
        // SAFETY: reads this thread's last error.
        warn!(
            "session lock and unlock will not be seen (WTSRegisterSessionNotification failed, error {})",
            unsafe { GetLastError() }
        );
    }
    Ok(hwnd)
}

unsafe extern "system" fn window_proc(hwnd: HWND, msg: u32, wp: WPARAM, lp: LPARAM) -> LRESULT {
    match msg {
        WM_TIMECHANGE => {
            debug!("WM_TIMECHANGE");
            CLOCK_CHANGED.notify_one();
            0
        }
        WM_POWERBROADCAST => {
            match wp as u32 {
                PBT_APMSUSPEND => {
                    report(SessionEvent::Suspending);
                }
                PBT_APMRESUMEAUTOMATIC | PBT_APMRESUMESUSPEND => {
                    report(SessionEvent::Resumed);
                    CLOCK_CHANGED.notify_one();
                }
                _ => {}
            }
            1
        }
        WM_WTSSESSION_CHANGE => {
            match wp as u32 {
                WTS_SESSION_LOCK => report(SessionEvent::Locked(true)),
                WTS_SESSION_UNLOCK => report(SessionEvent::Locked(false)),
                _ => {}
            }
            0
        }
        WM_FROM_RUNTIME => {
            let messages: Vec<ToThread> = FROM_RUNTIME
                .lock()
                .ok()
                .and_then(|r| r.as_ref().map(|r| r.try_iter().collect()))
                .unwrap_or_default();
            for m in messages {
                match m {
                    ToThread::Run(f) => f(),
                    // SAFETY: ends this thread's message loop.
                    ToThread::Quit => unsafe { PostQuitMessage(0) },
                }
            }
            0
        }
        // SAFETY: the default handling of everything else.
        _ => unsafe { DefWindowProcW(hwnd, msg, wp, lp) },
    }
}
