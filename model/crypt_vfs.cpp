// The encrypting VFS (see the header for the format).
//
// [SECTION] Keys
// [SECTION] Pages
// [SECTION] The database file
// [SECTION] The log
// [SECTION] The file methods
// [SECTION] The VFS
#include "model/crypt_vfs.hpp"

#include <sodium.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <vector>

namespace tsunagi::crypt {
namespace {

constexpr int kPage = kPageSize;
constexpr int kCipherBytes = kPage - kReservedBytes;  // the encrypted part of a page
constexpr int kLogHeader = 32;                        // the write-ahead log's header
constexpr int kFrameHeader = 24;                      // a frame's header, before its page
constexpr int kFrame = kFrameHeader + kPage;

sqlite3_vfs g_vfs{};

// The default VFS below this one: the one SQLite would use now (a test may install its own, as the power-cut
// trials do), never this one.
sqlite3_vfs* inner_vfs() { return sqlite3_vfs_find(nullptr); }

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Keys
// ---------------------------------------------------------------------------------------------------------------

std::mutex g_keys_mutex;
std::map<std::string, crypto::Key> g_keys;  // by the database's full path as SQLite names it; guarded by g_keys_mutex

std::string full_path(const std::string& path) {
  sqlite3_vfs* inner = inner_vfs();
  std::vector<char> out(static_cast<std::size_t>(inner->mxPathname) + 1, '\0');
  if (inner->xFullPathname(inner, path.c_str(), inner->mxPathname + 1, out.data()) != SQLITE_OK) return path;
  return out.data();
}

crypto::Key key_of(const char* database) {
  std::lock_guard lock(g_keys_mutex);
  auto found = g_keys.find(database ? database : "");
  return found == g_keys.end() ? nullptr : found->second;
}

std::uint32_t read_be32(const unsigned char* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) | bytes[3];
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Pages
// ---------------------------------------------------------------------------------------------------------------

struct CryptFile {
  sqlite3_file base;    // first: SQLite sees this struct as its sqlite3_file
  sqlite3_file* inner;  // the file of the VFS below
  crypto::Key key;
  bool log = false;  // the write-ahead log; else the database file
  unsigned char nonce_prefix[16];
  std::uint64_t nonce_counter = 0;
  sqlite3_int64 header_offset = -1;  // the log: the frame header this connection wrote last, and its page number
  std::uint32_t header_page = 0;
  std::vector<unsigned char> frame;  // room for one frame (the log) or one page
};

CryptFile* crypt_file(sqlite3_file* file) { return reinterpret_cast<CryptFile*>(file); }

// Page 1 begins with SQLite's 100-byte database header (page size, counters, schema cookie: no record content). It
// stays plain on the disk, bound to the page as associated data, so that SQLite can read it before the log at open
// even while page 1 is being copied in from the log (a power cut may tear that copy; the log still has the page).
// Its first 16 bytes read "Tsunagi crypt 1" on the disk instead of "SQLite format 3": an encrypted file is never
// taken for a plain one.
constexpr int kHeader = 100;
constexpr char kPlainMagic[16] = "SQLite format 3";
constexpr char kCryptMagic[16] = "Tsunagi crypt 1";

// The associated data of page `page_number`: its number (big-endian), and for page 1 its header after the magic.
struct Associated {
  unsigned char bytes[4 + kHeader - 16];
  unsigned long long size = 4;
  Associated(std::uint32_t page_number, const unsigned char* page) {
    for (int i = 0; i < 4; ++i) bytes[i] = static_cast<unsigned char>(page_number >> (24 - 8 * i));
    if (page_number == 1) {
      std::memcpy(bytes + 4, page + 16, kHeader - 16);
      size += kHeader - 16;
    }
  }
};

// Encrypts `plain` (a page) as page `page_number` into `out` (may be the same buffer).
void encrypt_page(CryptFile& file, std::uint32_t page_number, const unsigned char* plain, unsigned char* out) {
  const int start = page_number == 1 ? kHeader : 0;
  if (out != plain) std::memcpy(out, plain, static_cast<std::size_t>(start));
  unsigned char* nonce = out + kCipherBytes;
  std::memcpy(nonce, file.nonce_prefix, sizeof file.nonce_prefix);
  std::uint64_t counter = ++file.nonce_counter;
  for (int i = 0; i < 8; ++i) nonce[16 + i] = static_cast<unsigned char>(counter >> (8 * i));
  const Associated associated(page_number, plain);
  // The nonce and tag lie in the reserved bytes, outside the encrypted part, so `out` may be `plain`.
  crypto_aead_xchacha20poly1305_ietf_encrypt_detached(out + start, out + kCipherBytes + crypto::kNonceBytes, nullptr,
                                                      plain + start, kCipherBytes - start, associated.bytes,
                                                      associated.size, nullptr, nonce, file.key->bytes());
  if (page_number == 1) std::memcpy(out, kCryptMagic, sizeof kCryptMagic);
}

// Decrypts page `page_number` in place; its reserved bytes become zeros, as SQLite wrote them. False when the page
// does not authenticate.
bool decrypt_page(const CryptFile& file, std::uint32_t page_number, unsigned char* page) {
  const int start = page_number == 1 ? kHeader : 0;
  if (page_number == 1 && std::memcmp(page, kCryptMagic, sizeof kCryptMagic) != 0) return false;
  const Associated associated(page_number, page);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt_detached(page + start, nullptr, page + start, kCipherBytes - start,
                                                          page + kCipherBytes + crypto::kNonceBytes, associated.bytes,
                                                          associated.size, page + kCipherBytes, file.key->bytes()) != 0)
    return false;
  std::memset(page + kCipherBytes, 0, kReservedBytes);
  if (page_number == 1) std::memcpy(page, kPlainMagic, sizeof kPlainMagic);
  return true;
}

int inner_read(CryptFile& file, void* out, int amount, sqlite3_int64 offset) {
  return file.inner->pMethods->xRead(file.inner, out, amount, offset);
}
int inner_write(CryptFile& file, const void* in, int amount, sqlite3_int64 offset) {
  return file.inner->pMethods->xWrite(file.inner, in, amount, offset);
}

bool all_zero(const unsigned char* bytes, int size) {
  for (int i = 0; i < size; ++i)
    if (bytes[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] The database file
// ---------------------------------------------------------------------------------------------------------------

// Reads page `index` (0-based) plain into `page`. SQLITE_IOERR_SHORT_READ with zeros when the page lies past the
// end of the file, as SQLite expects; SQLITE_IOERR_DATA when it does not authenticate (altered, or cut short).
int read_database_page(CryptFile& file, sqlite3_int64 index, unsigned char* page) {
  int rc = inner_read(file, page, kPage, index * kPage);
  if (rc == SQLITE_IOERR_SHORT_READ && all_zero(page, kPage)) return rc;
  if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) return rc;
  if (rc == SQLITE_IOERR_SHORT_READ || !decrypt_page(file, static_cast<std::uint32_t>(index + 1), page)) {
    sqlite3_log(SQLITE_IOERR_DATA, "tsunagi-crypt: page %lld of the database does not authenticate",
                static_cast<long long>(index + 1));
    return SQLITE_IOERR_DATA;
  }
  return SQLITE_OK;
}

int database_read(CryptFile& file, unsigned char* out, int amount, sqlite3_int64 offset) {
  if (offset + amount <= kHeader) {  // the database header alone, as SQLite reads it at open: plain on the disk
    unsigned char header[kHeader];
    int rc = inner_read(file, header, kHeader, 0);
    if (rc == SQLITE_IOERR_SHORT_READ && all_zero(header, kHeader)) {
      std::memset(out, 0, static_cast<std::size_t>(amount));
      return rc;
    }
    if (rc != SQLITE_OK) return rc;
    // Anything else (a plain file; zeros or garbage where a power cut tore page 1) goes to SQLite as it is: it
    // then takes the page size as unknown and reads page 1 itself, from the log or authenticated from the file.
    if (std::memcmp(header, kCryptMagic, sizeof kCryptMagic) == 0) std::memcpy(header, kPlainMagic, sizeof kPlainMagic);
    std::memcpy(out, header + offset, static_cast<std::size_t>(amount));
    return SQLITE_OK;
  }
  int result = SQLITE_OK;
  for (sqlite3_int64 index = offset / kPage; index * kPage < offset + amount; ++index) {
    const sqlite3_int64 start = index * kPage;
    const bool whole = start >= offset && start + kPage <= offset + amount;
    unsigned char* page = whole ? out + (start - offset) : file.frame.data();
    int rc = read_database_page(file, index, page);
    if (rc == SQLITE_IOERR_SHORT_READ)
      result = rc;
    else if (rc != SQLITE_OK)
      return rc;
    if (!whole) {
      const sqlite3_int64 from = std::max(offset, start);
      const sqlite3_int64 to = std::min(offset + amount, start + kPage);
      std::memcpy(out + (from - offset), page + (from - start), static_cast<std::size_t>(to - from));
    }
  }
  return result;
}

// Page 1 must say what this VFS assumes (page size, reserved bytes), or the reserved bytes would hold data.
bool header_fits(const unsigned char* page) {
  const int page_size = (page[16] << 8) | page[17];
  return (page_size == kPage || (kPage == 65536 && page_size == 1)) && page[20] == kReservedBytes;
}

int database_write(CryptFile& file, const unsigned char* in, int amount, sqlite3_int64 offset) {
  unsigned char* page = file.frame.data();
  for (sqlite3_int64 index = offset / kPage; index * kPage < offset + amount; ++index) {
    const sqlite3_int64 start = index * kPage;
    if (start >= offset && start + kPage <= offset + amount) {
      std::memcpy(page, in + (start - offset), kPage);
    } else {  // part of a page: read, change, write back (SQLite itself writes whole pages)
      int rc = read_database_page(file, index, page);
      if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) return rc;
      const sqlite3_int64 from = std::max(offset, start);
      const sqlite3_int64 to = std::min(offset + amount, start + kPage);
      std::memcpy(page + (from - start), in + (from - offset), static_cast<std::size_t>(to - from));
    }
    if (index == 0 && !header_fits(page)) {
      sqlite3_log(SQLITE_IOERR_WRITE, "tsunagi-crypt: refused a database without %d reserved bytes per page of %d",
                  kReservedBytes, kPage);
      return SQLITE_IOERR_WRITE;
    }
    encrypt_page(file, static_cast<std::uint32_t>(index + 1), page, page);
    if (int rc = inner_write(file, page, kPage, start); rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] The log
// ---------------------------------------------------------------------------------------------------------------

// Where `offset` falls in the log: the frame, and the byte within it.
struct LogPlace {
  sqlite3_int64 frame_start;  // offset of the frame's header
  sqlite3_int64 within;       // offset from it
};
LogPlace log_place(sqlite3_int64 offset) {
  const sqlite3_int64 frame = (offset - kLogHeader) / kFrame;
  const sqlite3_int64 start = kLogHeader + frame * kFrame;
  return {start, offset - start};
}

int log_refuse(int rc, const char* what, int amount, sqlite3_int64 offset) {
  sqlite3_log(rc, "tsunagi-crypt: unexpected %s of %d bytes at %lld of a log", what, amount,
              static_cast<long long>(offset));
  return rc;
}

int log_read(CryptFile& file, unsigned char* out, int amount, sqlite3_int64 offset) {
  if (offset < kLogHeader) {
    if (offset + amount > kLogHeader) return log_refuse(SQLITE_IOERR_READ, "read", amount, offset);
    return inner_read(file, out, amount, offset);
  }
  const LogPlace place = log_place(offset);
  // Within a frame's header (SQLite reads the previous frame's checksum when it rewrites frames): plain.
  if (place.within + amount <= kFrameHeader) return inner_read(file, out, amount, offset);
  if (place.within == 0 && amount == kFrame) {
    // A whole frame: SQLite recovering the log, checking each frame's checksum over the plain page. A frame that
    // does not authenticate (torn by a power cut, or altered) reads as zeros, so that its checksum ends the log.
    int rc = inner_read(file, out, amount, offset);
    if (rc != SQLITE_OK) return rc;
    if (!decrypt_page(file, read_be32(out), out + kFrameHeader)) std::memset(out + kFrameHeader, 0, kPage);
    return SQLITE_OK;
  }
  if (place.within == kFrameHeader && amount == kPage) {
    // A page of a frame SQLite found valid: it must authenticate under the page number its header names.
    unsigned char* frame = file.frame.data();
    int rc = inner_read(file, frame, kFrame, place.frame_start);
    if (rc != SQLITE_OK) return rc;
    if (!decrypt_page(file, read_be32(frame), frame + kFrameHeader)) {
      sqlite3_log(SQLITE_IOERR_DATA, "tsunagi-crypt: a frame of the log does not authenticate");
      return SQLITE_IOERR_DATA;
    }
    std::memcpy(out, frame + kFrameHeader, kPage);
    return SQLITE_OK;
  }
  return log_refuse(SQLITE_IOERR_READ, "read", amount, offset);
}

int log_write(CryptFile& file, const unsigned char* in, int amount, sqlite3_int64 offset) {
  if (offset < kLogHeader) {
    if (offset + amount > kLogHeader) return log_refuse(SQLITE_IOERR_WRITE, "write", amount, offset);
    if (offset == 0 && amount >= 12 && read_be32(in + 8) != static_cast<std::uint32_t>(kPage))
      return log_refuse(SQLITE_IOERR_WRITE, "header with another page size", amount, offset);
    return inner_write(file, in, amount, offset);
  }
  const LogPlace place = log_place(offset);
  if (place.within + amount <= kFrameHeader) {  // a frame's header, or part of it: plain
    if (place.within == 0 && amount >= 4) {
      file.header_offset = offset;
      file.header_page = read_be32(in);
    }
    return inner_write(file, in, amount, offset);
  }
  std::uint32_t page_number = 0;
  const unsigned char* plain = in;
  sqlite3_int64 page_offset = offset;
  if (place.within == 0 && amount == kFrame) {
    page_number = read_be32(in);
    if (int rc = inner_write(file, in, kFrameHeader, offset); rc != SQLITE_OK) return rc;
    plain = in + kFrameHeader;
    page_offset = offset + kFrameHeader;
  } else if (place.within == kFrameHeader && amount == kPage) {
    if (file.header_offset == place.frame_start) {
      page_number = file.header_page;
    } else {  // a frame written again in the same transaction: its header is on the disk
      unsigned char header[4];
      if (int rc = inner_read(file, header, sizeof header, place.frame_start); rc != SQLITE_OK) return rc;
      page_number = read_be32(header);
    }
  } else {
    return log_refuse(SQLITE_IOERR_WRITE, "write", amount, offset);
  }
  unsigned char* page = file.frame.data();
  encrypt_page(file, page_number, plain, page);
  return inner_write(file, page, kPage, page_offset);
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] The file methods
// ---------------------------------------------------------------------------------------------------------------

int file_close(sqlite3_file* base) {
  CryptFile* file = crypt_file(base);
  int rc = file->inner->pMethods ? file->inner->pMethods->xClose(file->inner) : SQLITE_OK;
  sqlite3_free(file->inner);
  file->~CryptFile();
  return rc;
}

int file_read(sqlite3_file* base, void* out, int amount, sqlite3_int64 offset) {
  CryptFile& file = *crypt_file(base);
  auto* bytes = static_cast<unsigned char*>(out);
  return file.log ? log_read(file, bytes, amount, offset) : database_read(file, bytes, amount, offset);
}

int file_write(sqlite3_file* base, const void* in, int amount, sqlite3_int64 offset) {
  CryptFile& file = *crypt_file(base);
  const auto* bytes = static_cast<const unsigned char*>(in);
  return file.log ? log_write(file, bytes, amount, offset) : database_write(file, bytes, amount, offset);
}

sqlite3_file* inner(sqlite3_file* base) { return crypt_file(base)->inner; }
int file_truncate(sqlite3_file* f, sqlite3_int64 size) { return inner(f)->pMethods->xTruncate(inner(f), size); }
int file_sync(sqlite3_file* f, int flags) { return inner(f)->pMethods->xSync(inner(f), flags); }
int file_size(sqlite3_file* f, sqlite3_int64* size) { return inner(f)->pMethods->xFileSize(inner(f), size); }
int file_lock(sqlite3_file* f, int level) { return inner(f)->pMethods->xLock(inner(f), level); }
int file_unlock(sqlite3_file* f, int level) { return inner(f)->pMethods->xUnlock(inner(f), level); }
int file_check_reserved(sqlite3_file* f, int* out) { return inner(f)->pMethods->xCheckReservedLock(inner(f), out); }
int file_control(sqlite3_file* f, int op, void* arg) {
  if (op == SQLITE_FCNTL_MMAP_SIZE) return SQLITE_NOTFOUND;  // no mapping: it would show cipher text
  return inner(f)->pMethods->xFileControl(inner(f), op, arg);
}
int file_sector_size(sqlite3_file* f) { return inner(f)->pMethods->xSectorSize(inner(f)); }
int file_device(sqlite3_file* f) { return inner(f)->pMethods->xDeviceCharacteristics(inner(f)); }
int file_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return inner(f)->pMethods->xShmMap(inner(f), region, size, extend, out);
}
int file_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return inner(f)->pMethods->xShmLock(inner(f), offset, n, flags);
}
void file_shm_barrier(sqlite3_file* f) { inner(f)->pMethods->xShmBarrier(inner(f)); }
int file_shm_unmap(sqlite3_file* f, int remove) { return inner(f)->pMethods->xShmUnmap(inner(f), remove); }

// Version 2: shared memory for WAL, but no xFetch (memory-mapped pages).
const sqlite3_io_methods kMethods = {
    2,           file_close,   file_read,     file_write,          file_truncate,  file_sync,
    file_size,   file_lock,    file_unlock,   file_check_reserved, file_control,   file_sector_size,
    file_device, file_shm_map, file_shm_lock, file_shm_barrier,    file_shm_unmap, nullptr,
    nullptr};

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] The VFS
// ---------------------------------------------------------------------------------------------------------------

int vfs_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* base, int flags, int* out_flags) {
  base->pMethods = nullptr;
  const bool database = flags & SQLITE_OPEN_MAIN_DB;
  const bool log = flags & SQLITE_OPEN_WAL;
  if (!database && !log) {
    sqlite3_log(SQLITE_CANTOPEN, "tsunagi-crypt: refused a journal or temporary file (flags %x) of an encrypted store",
                flags);
    return SQLITE_CANTOPEN;
  }
  crypto::Key key = key_of(database ? name : sqlite3_filename_database(name));
  if (!key) {
    sqlite3_log(SQLITE_CANTOPEN, "tsunagi-crypt: no key for %s", name ? name : "(temporary)");
    return SQLITE_CANTOPEN;
  }
  sqlite3_vfs* below = inner_vfs();
  auto* inner_file = static_cast<sqlite3_file*>(sqlite3_malloc(below->szOsFile));
  if (!inner_file) return SQLITE_NOMEM;
  std::memset(inner_file, 0, static_cast<std::size_t>(below->szOsFile));
  int rc = below->xOpen(below, name, inner_file, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (inner_file->pMethods) inner_file->pMethods->xClose(inner_file);
    sqlite3_free(inner_file);
    return rc;
  }
  auto* file = new (base) CryptFile{};
  file->inner = inner_file;
  file->key = std::move(key);
  file->log = log;
  file->frame.resize(kFrame);
  randombytes_buf(file->nonce_prefix, sizeof file->nonce_prefix);
  file->base.pMethods = &kMethods;
  return SQLITE_OK;
}

int vfs_delete(sqlite3_vfs*, const char* name, int sync) { return inner_vfs()->xDelete(inner_vfs(), name, sync); }
int vfs_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return inner_vfs()->xAccess(inner_vfs(), name, flags, out);
}
int vfs_full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return inner_vfs()->xFullPathname(inner_vfs(), name, size, out);
}
void* vfs_dl_open(sqlite3_vfs*, const char* name) { return inner_vfs()->xDlOpen(inner_vfs(), name); }
void vfs_dl_error(sqlite3_vfs*, int size, char* out) { inner_vfs()->xDlError(inner_vfs(), size, out); }
void (*vfs_dl_sym(sqlite3_vfs*, void* library, const char* symbol))(void) {
  return inner_vfs()->xDlSym(inner_vfs(), library, symbol);
}
void vfs_dl_close(sqlite3_vfs*, void* library) { inner_vfs()->xDlClose(inner_vfs(), library); }
int vfs_randomness(sqlite3_vfs*, int size, char* out) { return inner_vfs()->xRandomness(inner_vfs(), size, out); }
int vfs_sleep(sqlite3_vfs*, int microseconds) { return inner_vfs()->xSleep(inner_vfs(), microseconds); }
int vfs_current_time(sqlite3_vfs*, double* out) { return inner_vfs()->xCurrentTime(inner_vfs(), out); }
int vfs_last_error(sqlite3_vfs*, int size, char* out) {
  return inner_vfs()->xGetLastError ? inner_vfs()->xGetLastError(inner_vfs(), size, out) : 0;
}
int vfs_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
  sqlite3_vfs* below = inner_vfs();
  if (below->iVersion >= 2 && below->xCurrentTimeInt64) return below->xCurrentTimeInt64(below, out);
  double days = 0;
  int rc = below->xCurrentTime(below, &days);
  *out = static_cast<sqlite3_int64>(days * 86400000.0);
  return rc;
}

}  // namespace

void register_vfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    (void)crypto::initialise();
    sqlite3_vfs* below = inner_vfs();
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = static_cast<int>(sizeof(CryptFile));
    g_vfs.mxPathname = below->mxPathname;
    g_vfs.zName = kVfsName;
    g_vfs.xOpen = vfs_open;
    g_vfs.xDelete = vfs_delete;
    g_vfs.xAccess = vfs_access;
    g_vfs.xFullPathname = vfs_full_pathname;
    g_vfs.xDlOpen = vfs_dl_open;
    g_vfs.xDlError = vfs_dl_error;
    g_vfs.xDlSym = vfs_dl_sym;
    g_vfs.xDlClose = vfs_dl_close;
    g_vfs.xRandomness = vfs_randomness;
    g_vfs.xSleep = vfs_sleep;
    g_vfs.xCurrentTime = vfs_current_time;
    g_vfs.xGetLastError = vfs_last_error;
    g_vfs.xCurrentTimeInt64 = vfs_current_time_int64;
    sqlite3_vfs_register(&g_vfs, 0);
  });
}

void set_key(const std::string& path, crypto::Key key) {
  register_vfs();
  const std::string full = full_path(path);
  std::lock_guard lock(g_keys_mutex);
  g_keys[full] = std::move(key);
}

void forget_key(const std::string& path) {
  const std::string full = full_path(path);
  std::lock_guard lock(g_keys_mutex);
  g_keys.erase(full);
}

bool is_plain_database(const std::string& path) {
  sqlite3_vfs* below = inner_vfs();
  const std::string full = full_path(path);
  std::vector<unsigned char> storage(static_cast<std::size_t>(below->szOsFile), 0);
  auto* file = reinterpret_cast<sqlite3_file*>(storage.data());
  int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB;
  // A VFS reads a main database's name as SQLite makes them (URI parameters after it).
  sqlite3_filename name = sqlite3_create_filename(full.c_str(), "", "", 0, nullptr);
  if (!name) return false;
  int rc = below->xOpen(below, name, file, flags, &flags);
  char header[16] = {};
  if (rc == SQLITE_OK) rc = file->pMethods->xRead(file, header, sizeof header, 0);
  if (file->pMethods) file->pMethods->xClose(file);
  sqlite3_free_filename(name);
  return rc == SQLITE_OK && std::memcmp(header, "SQLite format 3\0", sizeof header) == 0;
}

}  // namespace tsunagi::crypt
