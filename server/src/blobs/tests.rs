use super::*;

const LIMITS: BlobLimits = BlobLimits { max_file: 1 << 20, max_total: 3 << 20 };

fn store() -> (tempfile::TempDir, BlobStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::open(dir.path(), LIMITS).unwrap();
    (dir, store)
}

fn bytes(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 251) as u8).collect()
}

fn hash(bytes: &[u8]) -> Hash {
    *blake3::hash(bytes).as_bytes()
}

fn writer(upload: Upload) -> PartialBlob {
    match upload {
        Upload::Write(partial) => *partial,
        Upload::Stored => panic!("already stored"),
    }
}

fn read_blob(store: &BlobStore, hash: &Hash) -> Vec<u8> {
    let (mut file, size) = store.open_blob(hash).unwrap().expect("stored");
    let mut kept = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut kept).unwrap();
    assert_eq!(size, kept.len() as u64);
    kept
}

#[test]
fn an_upload_is_stored_under_its_hash_and_again_costs_nothing() {
    let (_dir, store) = store();
    let file = bytes(300_000);
    let mut upload = writer(store.begin_upload(hash(&file), file.len() as u64).unwrap());
    assert_eq!(upload.offset(), 0);
    for chunk in file.chunks(64 * 1024) {
        upload.write(chunk).unwrap();
    }
    upload.finish().unwrap();
    assert_eq!(read_blob(&store, &hash(&file)), file);
    assert_eq!(store.used(), file.len() as u64);
    assert!(matches!(store.begin_upload(hash(&file), file.len() as u64).unwrap(), Upload::Stored));
}

#[test]
fn a_broken_off_upload_carries_on_from_what_was_kept() {
    let (dir, store) = store();
    let file = bytes(200_000);
    let mut first = writer(store.begin_upload(hash(&file), file.len() as u64).unwrap());
    first.write(&file[..70_000]).unwrap();
    drop(first);
    assert_eq!(store.used(), 0, "the reservation ends with the upload");
    assert!(store.open_blob(&hash(&file)).unwrap().is_none(), "nothing partial counts");

    // Even after the server restarts.
    let store = BlobStore::open(dir.path(), LIMITS).unwrap();
    let mut second = writer(store.begin_upload(hash(&file), file.len() as u64).unwrap());
    assert_eq!(second.offset(), 70_000);
    second.write(&file[70_000..]).unwrap();
    second.finish().unwrap();
    assert_eq!(read_blob(&store, &hash(&file)), file);
}

#[test]
fn an_upload_short_of_bytes_is_kept_for_later_not_stored() {
    let (_dir, store) = store();
    let file = bytes(1000);
    let mut upload = writer(store.begin_upload(hash(&file), 1000).unwrap());
    upload.write(&file[..999]).unwrap();
    assert!(matches!(upload.finish(), Err(BlobError::Incomplete { got: 999, announced: 1000 })));
    assert!(store.open_blob(&hash(&file)).unwrap().is_none());
    assert_eq!(writer(store.begin_upload(hash(&file), 1000).unwrap()).offset(), 999);
}

#[test]
fn wrong_hashes_and_lying_sizes_are_refused_and_nothing_is_kept() {
    let (_dir, store) = store();
    let file = bytes(5000);
    let mut wrong = writer(store.begin_upload(hash(b"something else"), 5000).unwrap());
    wrong.write(&file).unwrap();
    assert!(matches!(wrong.finish(), Err(BlobError::WrongHash)));
    assert_eq!(writer(store.begin_upload(hash(b"something else"), 5000).unwrap()).offset(), 0);

    let mut lying = writer(store.begin_upload(hash(&file), 4000).unwrap());
    assert!(matches!(lying.write(&file), Err(BlobError::TooManyBytes { announced: 4000 })));
    drop(lying);
    assert_eq!(writer(store.begin_upload(hash(&file), 4000).unwrap()).offset(), 0);
    assert_eq!(store.used(), 0);
}

#[test]
fn the_largest_file_and_the_whole_store_are_bounded() {
    let (_dir, store) = store();
    let refused = store.begin_upload([1; 32], (1 << 20) + 1).unwrap_err();
    assert_eq!(refused.to_string(), "the file is larger than 1 MiB");
    let _a = writer(store.begin_upload([2; 32], 1 << 20).unwrap());
    let _b = writer(store.begin_upload([3; 32], 1 << 20).unwrap());
    let _c = writer(store.begin_upload([4; 32], 1 << 20).unwrap());
    let full = store.begin_upload([5; 32], 1).unwrap_err();
    assert_eq!(full.to_string(), "the server's storage for files is full (3 MiB in use of 3 MiB)");
    assert!(matches!(store.begin_upload([2; 32], 1 << 20), Err(BlobError::Busy)));
}

#[test]
fn hashes_read_and_write_as_hex() {
    let hash = hash(b"abc");
    assert_eq!(from_hex(&to_hex(&hash)), Some(hash));
    assert_eq!(from_hex("zz"), None);
    assert_eq!(from_hex(&"g".repeat(64)), None);
}
