//! Calls on Windows: the user's capability access store, where Windows
//! notes each application's use of the microphone and the camera
//! (`HKCU\…\CapabilityAccessManager\ConsentStore\{microphone,webcam}`, a key
//! per packaged app and, under `NonPackaged`, per program path). An app
//! whose `LastUsedTimeStop` is 0 after a start is using it now. The store is
//! watched with a registry change notification (armed before each read) on
//! a thread of its own, which sleeps until something there changes: no
//! polling.

use std::io;

use tokio::sync::mpsc;
use tracing::{debug, info, warn};
use windows_sys::Win32::System::Registry::{
    HKEY, HKEY_CURRENT_USER, KEY_NOTIFY, KEY_READ, REG_NOTIFY_CHANGE_LAST_SET,
    REG_NOTIFY_CHANGE_NAME, RRF_RT_REG_QWORD, RegCloseKey, RegEnumKeyExW, RegGetValueW,
    RegNotifyChangeKeyValue, RegOpenKeyExW,
};

use windows_sys::Win32::Foundation::HANDLE;
use windows_sys::Win32::System::Threading::{CreateEventW, INFINITE, WaitForSingleObject};

use super::Change;
use crate::platform::registry::check;
use crate::platform::win32::wide;

/// The store, under HKEY_CURRENT_USER.
pub const STORE: &str =
    r"Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore";

/// What is watched in it: a call uses one or the other.
const DEVICES: [&str; 2] = ["microphone", "webcam"];

/// An open registry key, closed when dropped.
struct Key(HKEY);

impl Key {
    fn open(parent: HKEY, path: &str, access: u32) -> io::Result<Key> {
        let path = wide(path);
        let mut key: HKEY = std::ptr::null_mut();
        // SAFETY: a NUL-terminated path and an out-pointer for the key.
        let err = unsafe { RegOpenKeyExW(parent, path.as_ptr(), 0, access, &mut key) };
        check(err).map(|()| Key(key))
    }

    /// The names of its subkeys.
    fn subkeys(&self) -> Vec<String> {
        let mut out = Vec::new();
        for i in 0.. {
            // Key names are at most 255 characters.
            let mut name = [0u16; 256];
            let mut len = name.len() as u32;
            // SAFETY: a buffer of `len` characters; the rest may be null.
            let err = unsafe {
                RegEnumKeyExW(
                    self.0,
                    i,
                    name.as_mut_ptr(),
                    &mut len,
                    std::ptr::null(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                )
            };
            if err != 0 {
                break;
            }
            out.push(String::from_utf16_lossy(&name[..len as usize]));
        }
        out
    }

    /// A QWORD value of the subkey `sub`, if there is one.
    fn qword(&self, sub: &str, name: &str) -> Option<u64> {
        let (sub, name) = (wide(sub), wide(name));
        let mut value = 0u64;
        let mut len = 8u32;
        // SAFETY: NUL-terminated names and an 8-byte buffer.
        let err = unsafe {
            RegGetValueW(
                self.0,
                sub.as_ptr(),
                name.as_ptr(),
                RRF_RT_REG_QWORD,
                std::ptr::null_mut(),
                (&raw mut value).cast(),
                &mut len,
            )
        };
        (err == 0).then_some(value)
    }

    /// Asks for `event` to be set at the next change in it or under it.
    fn notify(&self, event: HANDLE) -> io::Result<()> {
        // SAFETY: an open key and an event handle; asynchronous, so it
        // returns at once and the event is set later.
        let err = unsafe {
            RegNotifyChangeKeyValue(
                self.0,
                1,
                REG_NOTIFY_CHANGE_NAME | REG_NOTIFY_CHANGE_LAST_SET,
                event,
                1,
            )
        };
        check(err)
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        // SAFETY: a key this value opened.
        unsafe { RegCloseKey(self.0) };
    }
}

/// What to call an app: a program path's file name without `.exe`
/// (`C:#Program Files#App#app.exe` is `app`), a package's name without its
/// publisher's hash (`Vendor.App_8wekyb3d8bbwe` is `Vendor.App`).
fn app_name(key: &str, packaged: bool) -> String {
    if packaged {
        return key.rsplit_once('_').map_or(key, |(n, _)| n).to_string();
    }
    let file = key.rsplit(['#', '\\']).next().unwrap_or(key);
    let stem = file
        .len()
        .checked_sub(4)
        .filter(|&i| file[i..].eq_ignore_ascii_case(".exe"));
    stem.map_or(file, |i| &file[..i]).to_string()
}

/// Whether the app's key says it uses the device now.
fn in_use(key: &Key, sub: &str) -> bool {
    let start = key.qword(sub, "LastUsedTimeStart").unwrap_or(0);
    let stop = key.qword(sub, "LastUsedTimeStop");
    start != 0 && stop == Some(0)
}

/// The apps using the microphone or the camera now, sorted, each once.
fn capturing(store: &Key) -> Vec<String> {
    let mut apps = Vec::new();
    for device in DEVICES {
        let Ok(dev) = Key::open(store.0, device, KEY_READ) else {
            continue;
        };
        for sub in dev.subkeys() {
            if sub == "NonPackaged" {
                let Ok(np) = Key::open(dev.0, &sub, KEY_READ) else {
                    continue;
                };
                apps.extend(
                    np.subkeys()
                        .into_iter()
                        .filter(|p| in_use(&np, p))
                        .map(|p| app_name(&p, false)),
                );
            } else if in_use(&dev, &sub) {
                apps.push(app_name(&sub, true));
            }
        }
    }
    apps.sort();
    apps.dedup();
    apps
}

/// Who uses the microphone or camera now (for `doctor`); an error if the
/// store cannot be read.
pub fn now() -> io::Result<Vec<String>> {
    let store = Key::open(HKEY_CURRENT_USER, STORE, KEY_READ)?;
    Ok(capturing(&store))
}

/// Starts the watch on a thread of its own: each new set of apps is
/// reported.
pub fn start(tx: mpsc::UnboundedSender<Change>) {
    let spawned = std::thread::Builder::new()
        .name("unhunch-calls".into())
        .spawn(move || {
            let store = match Key::open(HKEY_CURRENT_USER, STORE, KEY_READ | KEY_NOTIFY) {
                Ok(k) => k,
                Err(e) => {
                    warn!(
                        "calls: the capability access store cannot be read ({e}): calls are not seen"
                    );
                    return;
                }
            };
            // SAFETY: an auto-reset event, unnamed, initially not set; it
            // lives as long as the thread.
            let event = unsafe { CreateEventW(std::ptr::null(), 0, 0, std::ptr::null()) };
            if event.is_null() {
                warn!("calls: no event to watch them ({})", io::Error::last_os_error());
                return;
            }
            info!("calls: from the capability access store (microphone, camera)");
            let mut last = None;
            loop {
                // Armed before reading: a change while reading sets it.
                if let Err(e) = store.notify(event) {
                    warn!("calls: the capability access store cannot be watched ({e})");
                    return;
                }
                let apps = capturing(&store);
                if last.as_ref() != Some(&apps) {
                    debug!("capturing now: {apps:?}");
                    if tx.send(Change::Capturing(apps.clone())).is_err() {
                        return;
                    }
                    last = Some(apps);
                }
                // SAFETY: the event made above; sleeps until it is set.
                unsafe { WaitForSingleObject(event, INFINITE) };
            }
        });
    if let Err(e) = spawned {
        warn!("calls: no thread to watch them ({e})");
    }
}

#[cfg(test)]
mod tests {
    use super::app_name;

    #[test]
    fn apps_are_named_as_a_person_knows_them() {
        assert_eq!(
            app_name(r"C:#Program Files#Zoom#bin#Zoom.exe", false),
            "Zoom"
        );
        assert_eq!(app_name("C:#Tools#rec.EXE", false), "rec");
        assert_eq!(app_name("C:#Tools#recorder", false), "recorder");
        assert_eq!(
            app_name("Microsoft.SkypeApp_kzf8qxf38zg5c", true),
            "Microsoft.SkypeApp"
        );
        assert_eq!(app_name("NoPublisher", true), "NoPublisher");
    }
}
