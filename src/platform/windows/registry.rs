//! The few registry values unhunch keeps, all under HKEY_CURRENT_USER:
//! the Run key's entry and the toasts' AppUserModelID.

use std::io;

use windows_sys::Win32::System::Registry::{
    HKEY_CURRENT_USER, REG_SZ, RRF_RT_REG_SZ, RegDeleteKeyValueW, RegGetValueW, RegSetKeyValueW,
};

use super::win32::wide;

/// Sets `HKCU\key\name` to the string `value` (the key is made if missing).
pub fn set_string(key: &str, name: &str, value: &str) -> io::Result<()> {
    let (key, name, data) = (wide(key), wide(name), wide(value));
    // SAFETY: NUL-terminated strings; the data's size in bytes, with its NUL.
    let err = unsafe {
        RegSetKeyValueW(
            HKEY_CURRENT_USER,
            key.as_ptr(),
            name.as_ptr(),
            REG_SZ,
            data.as_ptr().cast(),
            (data.len() * 2) as u32,
        )
    };
    check(err)
}

/// `HKCU\key\name` as a string; `None` if it is not there.
pub fn get_string(key: &str, name: &str) -> io::Result<Option<String>> {
    let (key, name) = (wide(key), wide(name));
    let mut buf = vec![0u16; 2048];
    let mut len = (buf.len() * 2) as u32;
    // SAFETY: a buffer of the size given, in bytes.
    let err = unsafe {
        RegGetValueW(
            HKEY_CURRENT_USER,
            key.as_ptr(),
            name.as_ptr(),
            RRF_RT_REG_SZ,
            std::ptr::null_mut(),
            buf.as_mut_ptr().cast(),
            &mut len,
        )
    };
    if err == 2 {
        // ERROR_FILE_NOT_FOUND: no such key or value.
        return Ok(None);
    }
    check(err)?;
    let units = (len as usize / 2).saturating_sub(1).min(buf.len());
    Ok(Some(String::from_utf16_lossy(&buf[..units])))
}

/// Removes `HKCU\key\name`; not there is not an error.
pub fn delete(key: &str, name: &str) -> io::Result<()> {
    let (key, name) = (wide(key), wide(name));
    // SAFETY: NUL-terminated strings.
    let err = unsafe { RegDeleteKeyValueW(HKEY_CURRENT_USER, key.as_ptr(), name.as_ptr()) };
    if err == 2 { Ok(()) } else { check(err) }
}

/// A registry call's result (0, or a Win32 error code) as an io::Result.
pub fn check(err: u32) -> io::Result<()> {
    if err == 0 {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(err as i32))
    }
}
