// Encryption of the store beneath SQLite: a VFS ("tsunagi-crypt") over the default one that encrypts every page of
// a database file and of its write-ahead log with XChaCha20-Poly1305, so that FTS5, WAL, checkpoints and every
// query work as on a plain file.
//
// The page format (page size kPageSize, kReservedBytes reserved at the end of each page, which SQLite leaves
// unused once told so with SQLITE_FCNTL_RESERVE_BYTES):
//
//   [0, P-40)    the page's bytes, encrypted
//   [P-40, P-16) the nonce: 16 random bytes per open of the file, then a counter (never reused under one key)
//   [P-16, P)    the Poly1305 tag over the encrypted bytes and the associated data, the page number (4 bytes,
//                big-endian), so that a page moved to another place does not open
//
// The log keeps SQLite's layout: its 32-byte header and each frame's 24-byte header are plain (sizes, salts,
// checksums and page numbers, no record content), each frame's page is encrypted as above with the page number
// its frame header names. SQLite reads the reserved bytes as zeros, as it wrote them, so its own frame checksums
// (over the plain page) hold. A database page that fails its tag is an error (SQLITE_IOERR_DATA, "store.tampered");
// a frame that fails it while SQLite recovers the log reads as zeros, so that SQLite's checksum ends the log
// there, as it does for a frame a power cut tore. Rollback journals and temporary files are refused: an encrypted
// store runs in WAL mode (from its first write) with temp_store = MEMORY (Database::open sets both), so that no
// page is ever written anywhere else.
//
// Memory-mapped I/O is not offered (the map would show cipher text), and the shared-memory index (-shm) holds
// page numbers and frame positions only.
//
// Thread safety: the key table is guarded by a mutex; SQLite calls the file methods under its own locking.
#pragma once

#include <string>

#include "model/crypto.hpp"

namespace tsunagi::crypt {

constexpr int kPageSize = 4096;
constexpr int kReservedBytes = static_cast<int>(crypto::kNonceBytes + crypto::kTagBytes);  // 40
constexpr const char* kVfsName = "tsunagi-crypt";

// Registers the VFS with SQLite (once; it is never the default). Later calls return at once.
void register_vfs();

// Page 1 keeps SQLite's 100-byte database header plain (sizes, counters, the schema cookie), bound to the page as
// associated data and marked "Tsunagi crypt 1" where a plain file says "SQLite format 3": SQLite reads that header
// at open before the log, so it must stay readable while a power cut tears page 1's copy from the log.
//
// Pages of the database file `path` (as given to sqlite3_open_v2, UTF-8) and of its log are encrypted with `key`
// from now on, in every connection that opens it through kVfsName. Replaces a key set before.
void set_key(const std::string& path, crypto::Key key);
// Forgets the key of `path`: later opens of it fail.
void forget_key(const std::string& path);

// Whether the file at `path` (UTF-8) is a plain SQLite database: its first 16 bytes say "SQLite format 3". Read
// through the default VFS, which keeps this process's locks on the file (a descriptor of our own, once closed,
// would drop them). False for a missing, empty or encrypted file.
bool is_plain_database(const std::string& path);

}  // namespace tsunagi::crypt
