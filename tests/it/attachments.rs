//! Files in chat through the terminal client, as users send them (issue 15), with the
//! server's default limits: `/send` shares a file in a room, members `/get` the same bytes
//! (checked against the hash), anyone else is refused; a picture loses its GPS position on
//! the way; an upload survives the server being killed, a download a dead link, each carrying
//! on from what was kept.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::support::{Cli, Impairment, MIB, Relay, TestServer, make_file};

/// The BLAKE3 hash of the file at `path`, in hex.
fn hash_of(path: &Path) -> String {
    blake3::hash(&std::fs::read(path).unwrap()).to_hex().to_string()
}

/// `anseo-cli --json` as `name`, saving downloads in `downloads`.
async fn member(server: &TestServer, name: &str, downloads: &Path) -> Cli {
    Cli::login_with(server, name, &["--json", "--download-dir", downloads.to_str().unwrap()]).await
}

/// Joins `room` and waits for the confirmation.
async fn join(cli: &mut Cli, room: &str) {
    cli.send(&format!("/join {room}")).await;
    cli.expect_json("the join", |v| (v["type"] == "joined" && v["room"] == room).then_some(())).await;
}

/// The next message (or DM) carrying a file, as its JSON object.
async fn shared_file(cli: &mut Cli, what: &str) -> Value {
    cli.expect_json(what, |v| (v["attachment"].is_object()).then(|| v.clone())).await
}

/// Asks for the file `hash` and waits for it to be saved; returns its path.
async fn get(cli: &mut Cli, hash: &str, path: Option<&Path>) -> String {
    let line = match path {
        Some(path) => format!("/get {hash} {}", path.display()),
        None => format!("/get {hash}"),
    };
    cli.send(&line).await;
    let saved = cli
        .expect_json("the download", |v| match v["type"].as_str() {
            Some("downloaded") => Some(Ok(v.clone())),
            Some("error") => Some(Err(v.clone())),
            _ => None,
        })
        .await
        .unwrap_or_else(|error| panic!("the download failed: {error}"));
    assert_eq!(saved["hash"], hash);
    saved["path"].as_str().unwrap().to_string()
}

/// The error `/get HASH` ends with.
async fn refused_get(cli: &mut Cli, hash: &str) -> Value {
    cli.send(&format!("/get {hash}")).await;
    cli.expect_json("the refusal", |v| match v["type"].as_str() {
        Some("error") => Some(v.clone()),
        Some("downloaded") => panic!("downloaded a file it may not see: {v}"),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn a_file_sent_with_send_arrives_at_two_members_and_anyone_else_is_refused() {
    let server = TestServer::start();
    let files = tempfile::tempdir().unwrap();
    let play = make_file(files.path(), "school play.mp4", 50 * MIB, 11);
    let hash = hash_of(&play);
    let (bobs, carols, daves) =
        (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut ann = member(&server, "ann", files.path()).await;
    let mut bob = member(&server, "bob", bobs.path()).await;
    let mut carol = member(&server, "carol", carols.path()).await;
    let mut dave = member(&server, "dave", daves.path()).await;
    for cli in [&mut ann, &mut bob, &mut carol] {
        join(cli, "class").await;
    }

    ann.send(&format!("/send \"{}\" the school play", play.display())).await;
    let sent = ann.json_until("ann's echo", |v| v["type"] == "message" && v["attachment"].is_object()).await;
    let echo = sent.last().unwrap();
    let progress: Vec<&Value> = sent.iter().filter(|v| v["type"] == "transfer").collect();
    let last = progress.last().expect("progress while sending");
    assert_eq!((&last["direction"], &last["hash"]), (&Value::from("up"), &Value::from(hash.clone())));
    assert_eq!((last["done"].as_u64(), last["total"].as_u64()), (Some(50 << 20), Some(50 << 20)));
    assert!(progress.len() < 200, "{} progress objects for one file", progress.len());
    let expected = serde_json::json!({
        "name": "school play.mp4", "size": 50 << 20, "mime": "application/octet-stream", "hash": hash,
    });
    assert_eq!(echo["attachment"], expected);
    assert_eq!(
        (&echo["room"], &echo["from"], &echo["text"]),
        (&"class".into(), &"ann".into(), &"the school play".into())
    );

    for (cli, name) in [(&mut bob, "bob"), (&mut carol, "carol")] {
        let message = shared_file(cli, &format!("the file at {name}")).await;
        assert_eq!(message["attachment"], expected, "{name}");
        assert_eq!(message["text"], "the school play");
    }
    let at_bob = get(&mut bob, &hash, None).await;
    assert_eq!(Path::new(&at_bob), bobs.path().join("school play.mp4"));
    let carols_copy = carols.path().join("play.mp4");
    let at_carol = get(&mut carol, &hash, Some(&carols_copy)).await;
    assert_eq!(Path::new(&at_carol), carols_copy);
    let original = std::fs::read(&play).unwrap();
    assert!(std::fs::read(&at_bob).unwrap() == original, "bob's copy differs");
    assert!(std::fs::read(&at_carol).unwrap() == original, "carol's copy differs");

    // A second /get does not overwrite the first copy.
    let again = get(&mut bob, &hash, None).await;
    assert_eq!(Path::new(&again), bobs.path().join("school play (1).mp4"));

    let refusal = refused_get(&mut dave, &hash).await;
    assert_eq!((&refusal["code"], &refusal["hash"]), (&"not_allowed".into(), &hash.clone().into()));
    let unknown = refused_get(&mut dave, &"0".repeat(64)).await;
    assert_eq!(unknown["code"], "not_found");
    assert_eq!(std::fs::read_dir(daves.path()).unwrap().count(), 0, "dave got something");

    // Privately: only the two of them may download it.
    ann.send(&format!("/send @dave \"{}\"", play.display())).await;
    let private = shared_file(&mut dave, "the private file").await;
    assert_eq!((&private["type"], &private["attachment"]["hash"]), (&"dm".into(), &hash.clone().into()));
    let at_dave = get(&mut dave, &hash, None).await;
    assert!(std::fs::read(at_dave).unwrap() == original);
}

/// A JPEG as a phone takes it: EXIF with the camera's orientation (6: turned right) and the
/// GPS position where it was taken (53.3498 N).
fn phone_photo(dir: &Path) -> (std::path::PathBuf, image::RgbImage) {
    let pixels = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([(x * 4) as u8, (y * 5) as u8, 90]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95).encode_image(&pixels).unwrap();
    let mut photo = jpeg[..2].to_vec();
    photo.extend(exif_segment());
    photo.extend(&jpeg[2..]);
    let path = dir.join("whiteboard.jpg");
    std::fs::write(&path, photo).unwrap();
    let decoded = image::load_from_memory(&std::fs::read(&path).unwrap()).unwrap().to_rgb8();
    (path, decoded)
}

/// The latitude 53/1, 20/1, 5394/100 as the GPS IFD stores it (little-endian rationals).
const LATITUDE: [u8; 24] = [53, 0, 0, 0, 1, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0x12, 0x15, 0, 0, 100, 0, 0, 0];

/// An APP1 EXIF segment: IFD0 with the orientation and a pointer to a GPS IFD holding the
/// latitude.
fn exif_segment() -> Vec<u8> {
    let mut tiff = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    // IFD0 at 8: two entries, then the next IFD (none).
    tiff.extend(2u16.to_le_bytes());
    tiff.extend([0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]); // Orientation, SHORT, 1, = 6
    tiff.extend([0x25, 0x88, 4, 0, 1, 0, 0, 0, 38, 0, 0, 0]); // GPS IFD pointer, LONG, 1, at 38
    tiff.extend(0u32.to_le_bytes());
    // GPS IFD at 38: one entry (GPSLatitude, RATIONAL, 3, at 56), then none.
    tiff.extend(1u16.to_le_bytes());
    tiff.extend([0x02, 0x00, 5, 0, 3, 0, 0, 0, 56, 0, 0, 0]);
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(LATITUDE);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend(((2 + 6 + tiff.len()) as u16).to_be_bytes());
    segment.extend(b"Exif\0\0");
    segment.extend(tiff);
    segment
}

/// The orientation a JPEG's EXIF gives.
fn orientation(jpeg: &[u8]) -> image::metadata::Orientation {
    use image::ImageDecoder;
    let reader = image::ImageReader::new(std::io::Cursor::new(jpeg)).with_guessed_format().unwrap();
    reader.into_decoder().unwrap().orientation().unwrap()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

#[tokio::test]
async fn a_photo_arrives_without_its_gps_position_and_shows_upright() {
    let server = TestServer::start();
    let (mine, theirs) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (photo, pixels) = phone_photo(mine.path());
    assert!(contains(&std::fs::read(&photo).unwrap(), &LATITUDE));
    let mut ann = member(&server, "ann", mine.path()).await;
    let mut bob = member(&server, "bob", theirs.path()).await;

    ann.send(&format!("/send {} the board", photo.display())).await;
    let message = shared_file(&mut bob, "the photo").await;
    let attachment = &message["attachment"];
    assert_eq!((&attachment["name"], &attachment["mime"]), (&"whiteboard.jpg".into(), &"image/jpeg".into()));
    // Turned right by its orientation: 48 wide, 64 high, as people see it.
    assert_eq!((attachment["width"].as_u64(), attachment["height"].as_u64()), (Some(48), Some(64)));
    assert_ne!(attachment["hash"], hash_of(&photo), "the photo went as it was");

    let received = std::fs::read(get(&mut bob, attachment["hash"].as_str().unwrap(), None).await).unwrap();
    assert!(!contains(&received, &LATITUDE), "the GPS position arrived");
    assert!(!contains(&received, &[0x25, 0x88]), "a GPS IFD pointer arrived");
    assert_eq!(orientation(&received), image::metadata::Orientation::Rotate90, "the orientation was lost");
    assert_eq!(received.len() as u64, attachment["size"].as_u64().unwrap());
    let decoded = image::load_from_memory(&received).unwrap().to_rgb8();
    assert!(decoded == pixels, "the pixels changed");
}

#[tokio::test]
async fn an_upload_carries_on_after_the_server_is_killed_and_nothing_partial_shows() {
    let server = TestServer::start();
    let addr = server.addr.clone();
    let files = tempfile::tempdir().unwrap();
    let video = make_file(files.path(), "video.mkv", 50 * MIB, 12);
    let hash = hash_of(&video);
    // Ann goes through a relay, held shut while the restarted server is looked at, so her
    // upload cannot carry on (and finish) before the look.
    let relay = Relay::start(&server.addr, Impairment::NONE, 5).await;
    let fingerprint = server.fingerprint.to_hex();
    let downloads = files.path().to_str().unwrap();
    let mut ann = Cli::spawn(&[
        "--server",
        &relay.addr,
        "--name",
        "ann",
        "--fingerprint",
        &fingerprint,
        "--json",
        "--download-dir",
        downloads,
    ]);
    ann.expect_json("ann's welcome", |v| (v["type"] == "welcome").then_some(())).await;
    ann.set_patience(Duration::from_secs(60));

    ann.send(&format!("/send {}", video.display())).await;
    let first = ann
        .expect_json("a quarter sent", |v| {
            (v["type"] == "transfer" && v["done"].as_u64() >= Some(12 << 20))
                .then(|| v["done"].as_u64().unwrap())
        })
        .await;
    relay.set_cut(true);
    let server = TestServer::start_at(server.kill(), &addr, &[]);
    assert!(!server.data_dir().join("blobs").join(&hash).exists(), "a partial file is visible as the file");
    let mut bob = member(&server, "bob", tempfile::tempdir().unwrap().path()).await;
    assert_eq!(refused_get(&mut bob, &hash).await["code"], "not_found");
    relay.set_cut(false);

    let after =
        ann.json_until("ann's echo", |v| v["type"] == "message" && v["attachment"]["hash"] == hash).await;
    // Progress goes up, then, where the upload carried on, back to what the server kept.
    let done: Vec<u64> = std::iter::once(first)
        .chain(after.iter().filter(|v| v["type"] == "transfer").map(|v| v["done"].as_u64().unwrap()))
        .collect();
    let resumed_at = done.windows(2).find(|pair| pair[1] <= pair[0]).map(|pair| pair[1]);
    let resumed_at = resumed_at.unwrap_or_else(|| panic!("no sign of carrying on in {done:?}"));
    assert!(resumed_at > 0, "the upload started over after the restart: {done:?}");
    let stored = std::fs::read(server.data_dir().join("blobs").join(&hash)).unwrap();
    assert!(stored == std::fs::read(&video).unwrap(), "the stored file differs");
}

#[tokio::test]
async fn a_download_cut_off_by_a_dead_link_carries_on_where_it_stopped() {
    let server = TestServer::start();
    let relay = Relay::start(&server.addr, Impairment::NONE, 3).await;
    let files = tempfile::tempdir().unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let film = make_file(files.path(), "film.mkv", 50 * MIB, 13);
    let hash = hash_of(&film);
    let mut ann = member(&server, "ann", files.path()).await;
    ann.send(&format!("/send {}", film.display())).await;
    ann.expect_json("ann's echo", |v| (v["attachment"]["hash"] == hash).then_some(())).await;

    let fingerprint = server.fingerprint.to_hex();
    let dir = downloads.path().to_str().unwrap();
    let args = [
        "--server",
        &relay.addr,
        "--name",
        "bob",
        "--fingerprint",
        &fingerprint,
        "--json",
        "--download-dir",
        dir,
    ];
    let mut bob = Cli::spawn(&args);
    bob.set_patience(Duration::from_secs(60));
    bob.expect_json("bob's welcome", |v| (v["type"] == "welcome").then_some(())).await;
    let before = relay.forwarded();
    bob.send(&format!("/get {hash}")).await;
    bob.expect_json("a third received", |v| {
        (v["type"] == "transfer" && v["done"].as_u64() >= Some(16 << 20)).then_some(())
    })
    .await;
    // The link dies for longer than the connection waits (30 s), then comes back.
    relay.set_cut(true);
    bob.expect_json("the reconnect", |v| (v["type"] == "reconnecting").then_some(())).await;
    relay.set_cut(false);
    let saved = bob
        .expect_json("the download", |v| match v["type"].as_str() {
            Some("downloaded") => Some(v["path"].as_str().unwrap().to_string()),
            Some("error") => panic!("the download failed: {v}"),
            _ => None,
        })
        .await;
    assert!(std::fs::read(saved).unwrap() == std::fs::read(&film).unwrap(), "the copy differs");
    let moved = relay.forwarded() - before;
    assert!(moved < 75 * MIB as u64, "{moved} bytes moved for a 50 MiB file");
}

#[tokio::test]
async fn an_upload_cut_off_by_a_dead_link_carries_on_where_it_stopped() {
    let server = TestServer::start();
    let relay = Relay::start(&server.addr, Impairment::NONE, 4).await;
    let files = tempfile::tempdir().unwrap();
    let film = make_file(files.path(), "film.mkv", 50 * MIB, 14);
    let hash = hash_of(&film);
    let mut bob = member(&server, "bob", files.path()).await;

    let fingerprint = server.fingerprint.to_hex();
    let args = ["--server", &relay.addr, "--name", "ann", "--fingerprint", &fingerprint, "--json"];
    let mut ann = Cli::spawn(&args);
    ann.set_patience(Duration::from_secs(60));
    ann.expect_json("ann's welcome", |v| (v["type"] == "welcome").then_some(())).await;
    let before = relay.forwarded();
    ann.send(&format!("/send {}", film.display())).await;
    ann.expect_json("a third sent", |v| {
        (v["type"] == "transfer" && v["direction"] == "up" && v["done"].as_u64() >= Some(16 << 20))
            .then_some(())
    })
    .await;
    // The link dies for longer than the connection waits (30 s), then comes back.
    relay.set_cut(true);
    ann.expect_json("the reconnect", |v| (v["type"] == "reconnecting").then_some(())).await;
    relay.set_cut(false);
    bob.set_patience(Duration::from_secs(60));
    let shared = shared_file(&mut bob, "ann's file").await;
    assert_eq!((&shared["from"], &shared["attachment"]["hash"]), (&"ann".into(), &hash.clone().into()));
    let moved = relay.forwarded() - before;
    assert!(moved < 75 * MIB as u64, "{moved} bytes moved for a 50 MiB file");
}

/// A filesystem of its own for a test (a tmpfs of `size`, e.g. "16m"), unmounted when dropped.
/// Mounting needs root, as the tests have in CI.
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    fn mount(at: &Path, size: &str) -> SmallDisk {
        std::fs::create_dir_all(at).unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .status()
            .expect("run mount");
        assert!(status.success(), "mounting a small tmpfs at {} failed (it needs root)", at.display());
        SmallDisk(at.to_path_buf())
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// The server's disk fills up during an upload: the uploader hears `storage_full` and why,
/// what was written is let go, and chat goes on (its messages are still stored).
#[tokio::test]
async fn a_full_disk_refuses_the_upload_in_words_and_chat_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let _disk = SmallDisk::mount(&dir.path().join("data"), "16m");
    let server = TestServer::start_in(dir, &[]);
    let files = tempfile::tempdir().unwrap();
    let film = make_file(files.path(), "film.mkv", 40 * MIB, 15);
    let mut ann = member(&server, "ann", files.path()).await;
    ann.send(&format!("/send {}", film.display())).await;
    let refusal = ann.expect_json("the refusal", |v| (v["type"] == "error").then(|| v.clone())).await;
    assert_eq!(refusal["code"], "storage_full", "{refusal}");
    assert!(refusal["message"].as_str().unwrap().contains("disk is full"), "{refusal}");
    ann.send("still here").await;
    let echo = ann.expect_json("the echo", |v| (v["type"] == "message").then(|| v.clone())).await;
    assert_eq!(echo["text"], "still here", "{echo}");
    let left: u64 = walk_sizes(&server.dir.path().join("data"));
    assert!(left < 4 * MIB as u64, "{left} bytes left on the small disk");
}

/// The bytes of all files under `dir`.
fn walk_sizes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => walk_sizes(&entry.path()),
            _ => entry.metadata().map(|m| m.len()).unwrap_or(0),
        })
        .sum()
}

/// A server that keeps nothing (`--no-store`) refuses a file at once, saying why, and chat
/// goes on.
#[tokio::test]
async fn a_server_without_a_store_refuses_files_and_says_why() {
    let server = TestServer::start_with(&["--no-store"]);
    let files = tempfile::tempdir().unwrap();
    let notes = make_file(files.path(), "notes.pdf", 100_000, 4);
    let mut alice = Cli::login(&server, "alice").await;
    alice.send(&format!("/send {}", notes.display())).await;
    let refusal = alice.expect_json("the refusal", |v| (v["type"] == "error").then(|| v.clone())).await;
    assert_eq!(refusal["code"], "not_allowed", "{refusal}");
    assert!(refusal["message"].as_str().unwrap().contains("--no-store"), "{refusal}");
    alice.send("still here").await;
    alice
        .expect_json("the echo", |v| (v["type"] == "message" && v["text"] == "still here").then_some(()))
        .await;
}
