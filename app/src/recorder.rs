//! Recording a voice clip from the microphone on desktops, where the web view is not given
//! one: cpal reads the default input (ALSA on Linux, so PulseAudio or PipeWire behind it;
//! CoreAudio; WASAPI) on a thread of its own, the samples are mixed down to mono and taken at
//! 16 kHz as they come, and the clip is written as a 16-bit WAV file (hound) to send like a
//! picked one. At most [`MAX_SECONDS`]; a clip longer stops by itself there.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SizedSample};

/// The clip's sample rate (voice needs no more).
pub const RATE: u32 = 16_000;
/// The longest clip, in seconds (about 9.6 MB of WAV), as in the browser.
pub const MAX_SECONDS: u32 = 300;
/// How long the microphone may take to start.
const START_TIMEOUT: Duration = Duration::from_secs(5);

/// A recording under way.
pub struct Recorder {
    stop: mpsc::Sender<()>,
    thread: JoinHandle<Result<Vec<i16>, String>>,
}

impl Recorder {
    /// Starts recording from the default microphone; why not, in words.
    pub fn start() -> Result<Recorder, String> {
        let (stop, stopped) = mpsc::channel();
        let (ready_tx, ready) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("voice-clip".into())
            .spawn(move || record(stopped, ready_tx))
            .map_err(|e| format!("cannot start recording: {e}"))?;
        match ready.recv_timeout(START_TIMEOUT) {
            Ok(Ok(())) => Ok(Recorder { stop, thread }),
            Ok(Err(reason)) => Err(reason),
            Err(_) => Err("the microphone did not start".into()),
        }
    }

    /// Stops and writes the clip as a WAV file in `folder`; returns its path.
    pub fn finish(self, folder: &Path) -> Result<PathBuf, String> {
        let _ = self.stop.send(());
        let samples = self.thread.join().map_err(|_| "the recording stopped unexpectedly".to_string())??;
        if samples.is_empty() {
            return Err("the microphone gave no sound".into());
        }
        std::fs::create_dir_all(folder)
            .map_err(|e| format!("cannot keep the clip in {}: {e}", folder.display()))?;
        let name = format!("voice clip {}.wav", chrono::Local::now().format("%Y-%m-%d %H-%M-%S"));
        let path = folder.join(name);
        write_wav(&path, &samples)
            .map_err(|e| format!("cannot write the clip to {}: {e}", path.display()))?;
        Ok(path)
    }
}

/// Writes 16 kHz mono 16-bit samples as a WAV file.
pub fn write_wav(path: &Path, samples: &[i16]) -> Result<(), hound::Error> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec)?;
    samples.iter().try_for_each(|sample| writer.write_sample(*sample))?;
    writer.finalize()
}

/// The recording thread: opens the default input, says whether it started, and gathers
/// samples until told to stop or the longest clip is reached.
fn record(stopped: mpsc::Receiver<()>, ready: mpsc::Sender<Result<(), String>>) -> Result<Vec<i16>, String> {
    let clip = Arc::new(Mutex::new(Downmix::default()));
    let stream = match open(clip.clone()) {
        Ok(stream) => stream,
        Err(reason) => {
            let _ = ready.send(Err(reason.clone()));
            return Err(reason);
        }
    };
    let _ = ready.send(Ok(()));
    let _ = stopped.recv_timeout(Duration::from_secs(u64::from(MAX_SECONDS)));
    drop(stream);
    let samples = std::mem::take(&mut clip.lock().unwrap_or_else(|p| p.into_inner()).samples);
    Ok(samples)
}

/// Opens and starts the default input stream, feeding `clip`.
fn open(clip: Arc<Mutex<Downmix>>) -> Result<cpal::Stream, String> {
    let device = cpal::default_host().default_input_device().ok_or("this computer has no microphone")?;
    let supported =
        device.default_input_config().map_err(|e| format!("the microphone cannot be used: {e}"))?;
    let format = supported.sample_format();
    let config: cpal::StreamConfig = supported.into();
    {
        let mut clip = clip.lock().unwrap_or_else(|p| p.into_inner());
        clip.channels = usize::from(config.channels.max(1));
        clip.input_rate = config.sample_rate.0.max(1);
    }
    let stream = match format {
        cpal::SampleFormat::F32 => build::<f32>(&device, &config, clip),
        cpal::SampleFormat::I16 => build::<i16>(&device, &config, clip),
        cpal::SampleFormat::U16 => build::<u16>(&device, &config, clip),
        cpal::SampleFormat::I32 => build::<i32>(&device, &config, clip),
        other => return Err(format!("the microphone gives {other} samples, which Anseo cannot read")),
    }
    .map_err(|e| format!("the microphone cannot be opened: {e}"))?;
    stream.play().map_err(|e| format!("the microphone does not start: {e}"))?;
    Ok(stream)
}

fn build<T>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    clip: Arc<Mutex<Downmix>>,
) -> Result<cpal::Stream, cpal::BuildStreamError>
where
    T: SizedSample,
    f32: FromSample<T>,
{
    let on_data = move |data: &[T], _: &cpal::InputCallbackInfo| {
        let mut clip = clip.lock().unwrap_or_else(|p| p.into_inner());
        clip.push(data.iter().map(|s| s.to_sample::<f32>()));
    };
    let on_error = |error| tracing::warn!(%error, "the microphone failed while recording");
    device.build_input_stream(config, on_data, on_error, None)
}

/// Interleaved frames of any rate in, 16 kHz mono 16-bit samples out (each output sample the
/// mix of the frame nearest its time: plenty for a voice).
#[derive(Debug)]
struct Downmix {
    channels: usize,
    input_rate: u32,
    /// Where the next output sample falls, in input frames times [`RATE`].
    phase: u64,
    /// The channel values of the frame being read.
    frame: Vec<f32>,
    samples: Vec<i16>,
}

impl Default for Downmix {
    fn default() -> Self {
        Downmix { channels: 1, input_rate: RATE, phase: 0, frame: Vec::new(), samples: Vec::new() }
    }
}

impl Downmix {
    fn push(&mut self, values: impl Iterator<Item = f32>) {
        let max = (RATE * MAX_SECONDS) as usize;
        for value in values {
            self.frame.push(value);
            if self.frame.len() < self.channels {
                continue;
            }
            let mixed = self.frame.drain(..).sum::<f32>() / self.channels as f32;
            // One input frame takes RATE / input_rate output samples: emit those that fall in it.
            self.phase += u64::from(RATE);
            while self.phase >= u64::from(self.input_rate) && self.samples.len() < max {
                self.phase -= u64::from(self.input_rate);
                self.samples.push((mixed.clamp(-1.0, 1.0) * f32::from(i16::MAX)) as i16);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stereo_at_48_khz_becomes_mono_at_16_khz() {
        let mut mix = Downmix { channels: 2, input_rate: 48_000, ..Downmix::default() };
        // One second of stereo: left 0.5, right 0.0.
        mix.push(std::iter::repeat_n([0.5f32, 0.0], 48_000).flatten());
        assert_eq!(mix.samples.len(), 16_000);
        assert!(mix.samples.iter().all(|s| *s == (0.25 * f32::from(i16::MAX)) as i16));
    }

    #[test]
    fn a_clip_is_a_wav_file_every_player_reads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clip.wav");
        write_wav(&path, &[0, 1000, -1000]).unwrap();
        let reader = hound::WavReader::open(&path).unwrap();
        assert_eq!(
            (reader.spec().channels, reader.spec().sample_rate, reader.spec().bits_per_sample),
            (1, RATE, 16)
        );
        assert_eq!(reader.into_samples::<i16>().map(Result::unwrap).collect::<Vec<_>>(), [0, 1000, -1000]);
    }
}
