//! The composer's microphone: records a voice clip and sends it as a WAV file when pressed
//! again (at most five minutes), 16 kHz mono 16-bit, a file every player plays. In the browser
//! the page records with the Web Audio API (every browser with a microphone can); the desktop
//! app, whose web view (WebKitGTK) is not given the microphone, records natively
//! ([`crate::recorder`]). Phones cannot record yet.

use dioxus::prelude::*;
use serde::Deserialize;

use super::{Icon, IconKind};
use crate::dispatch::{run_script, use_dispatch};
use crate::model::Action;
#[cfg(target_arch = "wasm32")]
use crate::model::PickedFile;

/// The longest clip, in seconds (about 9.6 MB of WAV).
const MAX_SECONDS: u32 = 300;

/// What the recording script tells the app.
#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum FromPage {
    /// Recording started (`true`) or stopped (`false`).
    Recording(bool),
    /// The clip, as WAV bytes in base64.
    Clip(String),
    /// Why nothing could be recorded.
    Failed(String),
}

const VOICE_SCRIPT: &str = r#"
const MAX_SECONDS = __MAX_SECONDS__;
const RATE = 16000;
let recording = null;
const wav = (samples) => {
  const view = new DataView(new ArrayBuffer(44 + samples.length * 2));
  const text = (at, s) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  text(0, 'RIFF'); view.setUint32(4, 36 + samples.length * 2, true); text(8, 'WAVEfmt ');
  view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 1, true);
  view.setUint32(24, RATE, true); view.setUint32(28, RATE * 2, true);
  view.setUint16(32, 2, true); view.setUint16(34, 16, true);
  text(36, 'data'); view.setUint32(40, samples.length * 2, true);
  samples.forEach((s, i) => view.setInt16(44 + i * 2, Math.max(-1, Math.min(1, s)) * 32767, true));
  return new Blob([view], { type: 'audio/wav' });
};
const stop = () => {
  if (!recording) return;
  const { stream, context, processor, source, chunks, step } = recording;
  recording = null;
  processor.onaudioprocess = null;
  source.disconnect(); processor.disconnect();
  stream.getTracks().forEach((track) => track.stop());
  context.close();
  dioxus.send({ recording: false });
  const all = chunks.reduce((n, c) => n + c.length, 0);
  const samples = new Float32Array(Math.floor(all / step));
  let at = 0, sum = 0, count = 0;
  for (const chunk of chunks) for (const s of chunk) {
    sum += s; count += 1;
    if (count === step) { if (at < samples.length) samples[at++] = sum / step; sum = 0; count = 0; }
  }
  const reader = new FileReader();
  reader.onload = () => dioxus.send({ clip: String(reader.result).split(',')[1] || '' });
  reader.readAsDataURL(wav(samples));
};
const start = async () => {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    dioxus.send({ failed: 'this browser cannot record here (a microphone needs the page over HTTPS)' });
    return;
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const context = new AudioContext();
    const source = context.createMediaStreamSource(stream);
    const processor = context.createScriptProcessor(4096, 1, 1);
    const step = Math.max(1, Math.round(context.sampleRate / RATE));
    const chunks = [];
    let length = 0;
    processor.onaudioprocess = (event) => {
      const data = event.inputBuffer.getChannelData(0);
      chunks.push(new Float32Array(data));
      length += data.length;
      if (length >= context.sampleRate * MAX_SECONDS) stop();
    };
    source.connect(processor);
    processor.connect(context.destination);
    recording = { stream, context, processor, source, chunks, step };
    dioxus.send({ recording: true });
  } catch (error) {
    dioxus.send({ failed: String(error && error.message || error) });
  }
};
window.anseoVoice = () => (recording ? stop() : start());
"#;

#[component]
pub fn VoiceButton() -> Element {
    #[cfg(any(target_os = "android", target_os = "ios"))]
    return rsx! {};
    #[cfg(all(not(target_arch = "wasm32"), not(target_os = "android"), not(target_os = "ios")))]
    return rsx! { NativeVoiceButton {} };
    #[cfg(target_arch = "wasm32")]
    rsx! { PageVoiceButton {} }
}

/// The microphone of the desktop app: the recorder runs on a thread of its own.
#[cfg(all(not(target_arch = "wasm32"), not(target_os = "android"), not(target_os = "ios")))]
#[component]
fn NativeVoiceButton() -> Element {
    use std::cell::RefCell;
    use std::rc::Rc;

    use crate::model::PickedFile;
    use crate::recorder::Recorder;

    /// What a press did: started recording, or stopped with the clip written.
    enum Step {
        Started(Recorder),
        Finished(std::path::PathBuf),
    }

    let dispatch = use_dispatch();
    let recorder = use_hook(|| Rc::new(RefCell::new(None::<Recorder>)));
    let mut recording = use_signal(|| false);
    let mut busy = use_signal(|| false);
    let onclick = move |_| {
        if busy() {
            return;
        }
        let recorder = recorder.clone();
        busy.set(true);
        spawn(async move {
            let running = recorder.borrow_mut().take();
            let outcome = match running {
                None => tokio::task::spawn_blocking(|| Recorder::start().map(Step::Started)).await,
                Some(running) => {
                    let folder = std::env::temp_dir().join("anseo-voice");
                    tokio::task::spawn_blocking(move || running.finish(&folder).map(Step::Finished)).await
                }
            };
            busy.set(false);
            recording.set(false);
            match outcome {
                Ok(Ok(Step::Started(started))) => {
                    recording.set(true);
                    *recorder.borrow_mut() = Some(started);
                }
                Ok(Ok(Step::Finished(path))) => dispatch.act(Action::SendFile(PickedFile::Path(path))),
                Ok(Err(reason)) => {
                    dispatch.act(Action::ShowError(format!("Could not record a voice clip: {reason}.")))
                }
                Err(_) => {}
            }
        });
    };
    voice_button(recording(), onclick)
}

/// The button itself, recording or not.
fn voice_button(recording: bool, onclick: impl FnMut(MouseEvent) + 'static) -> Element {
    let (label, kind, class) = if recording {
        ("Stop and send the voice clip", IconKind::Stop, "icon-button voice recording")
    } else {
        ("Record a voice clip", IconKind::Microphone, "icon-button voice")
    };
    rsx! {
        button {
            class: "{class}",
            id: "voice-record",
            r#type: "button",
            title: "{label}",
            aria_label: "{label}",
            aria_pressed: "{recording}",
            onclick,
            Icon { kind }
        }
    }
}

/// The microphone of the page: the recording script does the work.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#[component]
fn PageVoiceButton() -> Element {
    let dispatch = use_dispatch();
    let mut recording = use_signal(|| false);
    use_hook(move || {
        spawn(async move {
            let mut eval = document::eval(&voice_script());
            while let Ok(message) = eval.recv::<FromPage>().await {
                match message {
                    FromPage::Recording(now) => recording.set(now),
                    FromPage::Clip(data) => dispatch.act(clip(&data)),
                    FromPage::Failed(reason) => {
                        dispatch.act(Action::ShowError(format!("Could not record a voice clip: {reason}.")))
                    }
                }
            }
        })
    });
    voice_button(recording(), move |_| run_script("window.anseoVoice && window.anseoVoice()"))
}

/// The recording script, with the longest clip.
fn voice_script() -> String {
    VOICE_SCRIPT.replacen("__MAX_SECONDS__", &MAX_SECONDS.to_string(), 1)
}

/// The recorded clip as a file of the page's, to send like a picked one.
fn clip(data: &str) -> Action {
    use base64::Engine;
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data) else {
        return Action::ShowError("The voice clip could not be read.".into());
    };
    let name = format!("voice clip {}.wav", chrono::Local::now().format("%Y-%m-%d %H-%M-%S"));
    page_file(&bytes, &name)
}

#[cfg(target_arch = "wasm32")]
fn page_file(bytes: &[u8], name: &str) -> Action {
    match anseo_shared::client::PageFile::from_bytes(bytes, name, "audio/wav") {
        Ok(file) => Action::SendFile(PickedFile::Page(file)),
        Err(error) => Action::ShowError(format!("The voice clip could not be kept to send it: {error}")),
    }
}

/// (Not drawn outside the browser.)
#[cfg(not(target_arch = "wasm32"))]
fn page_file(_bytes: &[u8], _name: &str) -> Action {
    Action::ShowError("Voice clips are recorded in the browser only.".into())
}

#[cfg(test)]
mod tests {
    use super::{FromPage, MAX_SECONDS, voice_script};

    #[test]
    fn the_scripts_messages_are_read() {
        let read = |json: &str| serde_json::from_str::<FromPage>(json).unwrap();
        assert_eq!(read(r#"{"recording":true}"#), FromPage::Recording(true));
        assert_eq!(read(r#"{"clip":"UklG"}"#), FromPage::Clip("UklG".into()));
        assert_eq!(read(r#"{"failed":"no microphone"}"#), FromPage::Failed("no microphone".into()));
    }

    #[test]
    fn the_page_and_the_app_agree_on_the_longest_clip() {
        assert!(voice_script().contains(&format!("const MAX_SECONDS = {MAX_SECONDS};")));
    }
}
