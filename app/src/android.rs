//! What Android needs from the app through JNI (the activity and VM that Dioxus's Android
//! shell hands over in `ndk_context`): a Wi-Fi multicast lock while the login screen looks for
//! servers (without one Android drops the multicast packets mDNS relies on), and the link the
//! app was opened with (an `anseo://` invite a camera app scanned).

use anseo_shared::trust::Invite;
use jni::JavaVM;
use jni::objects::{GlobalRef, JObject, JString, JValue};

/// Runs `work` with the JVM attached to this thread and the app's activity.
fn with_activity<T>(
    work: impl FnOnce(&mut jni::JNIEnv<'_>, &JObject<'_>) -> jni::errors::Result<T>,
) -> Result<T, String> {
    let context = ndk_context::android_context();
    // SAFETY: the pointers are the VM and the activity Dioxus's Android shell registered with
    // ndk_context for the app's whole life.
    let vm = unsafe { JavaVM::from_raw(context.vm().cast()) }.map_err(|e| e.to_string())?;
    let mut env = vm.attach_current_thread().map_err(|e| e.to_string())?;
    // SAFETY: as above; the activity outlives this call, and the reference is not deleted.
    let activity = unsafe { JObject::from_raw(context.context().cast()) };
    work(&mut env, &activity).map_err(|e| e.to_string())
}

/// Android's Wi-Fi multicast lock, held until dropped.
pub struct MulticastLock(GlobalRef);

impl MulticastLock {
    /// Takes the lock (the app declares CHANGE_WIFI_MULTICAST_STATE in Dioxus.toml).
    pub fn acquire() -> Result<MulticastLock, String> {
        with_activity(|env, activity| {
            let service = env.new_string("wifi")?;
            let wifi = env
                .call_method(
                    activity,
                    "getSystemService",
                    "(Ljava/lang/String;)Ljava/lang/Object;",
                    &[JValue::Object(&service)],
                )?
                .l()?;
            let tag = env.new_string("anseo-discovery")?;
            let lock = env
                .call_method(
                    &wifi,
                    "createMulticastLock",
                    "(Ljava/lang/String;)Landroid/net/wifi/WifiManager$MulticastLock;",
                    &[JValue::Object(&tag)],
                )?
                .l()?;
            env.call_method(&lock, "acquire", "()V", &[])?;
            Ok(MulticastLock(env.new_global_ref(lock)?))
        })
    }
}

impl Drop for MulticastLock {
    fn drop(&mut self) {
        let lock = self.0.clone();
        let released =
            with_activity(move |env, _| env.call_method(lock.as_obj(), "release", "()V", &[]).map(drop));
        if let Err(error) = released {
            tracing::warn!(%error, "cannot release the multicast lock");
        }
    }
}

/// The invite the app was opened with, if it was opened with one.
pub fn launch_invite() -> Option<Invite> {
    let link = with_activity(|env, activity| {
        let intent = env.call_method(activity, "getIntent", "()Landroid/content/Intent;", &[])?.l()?;
        if intent.is_null() {
            return Ok(None);
        }
        let data = env.call_method(&intent, "getDataString", "()Ljava/lang/String;", &[])?.l()?;
        if data.is_null() {
            return Ok(None);
        }
        let data = JString::from(data);
        let text: String = env.get_string(&data)?.into();
        Ok(Some(text))
    });
    match link {
        Ok(link) => link.and_then(|link| link.parse().ok()),
        Err(error) => {
            tracing::warn!(%error, "cannot read the link the app was opened with");
            None
        }
    }
}
