// [SECTION] The model: pieces, files, folder entries
// [SECTION] Files (sqlite3_io_methods)
// [SECTION] The VFS (sqlite3_vfs)
// [SECTION] Installing, cutting, restarting
#include "tests/support/power_cut_vfs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <type_traits>
#include <vector>

namespace tsunagi::testing {

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] The model: pieces, files, folder entries
// ---------------------------------------------------------------------------------------------------------------

namespace {

// The unit a cut keeps, loses or garbles independently under Loss::Torn: a disk sector.
constexpr std::int64_t kPiece = 512;

// A piece of a file written (or cut off by a truncation) since the file's last sync.
struct Piece {
  std::string synced;  // its bytes as last synced: fewer than kPiece, or none, past the synced size
  int low = kPiece;    // the bytes changed since: [low, high) within the piece
  int high = 0;
  bool contiguous = true;  // those changes make one run (else garbage could fall on bytes nobody wrote)

  void changed(int from, int to) {
    if (low >= high) {
      low = from;
      high = to;
      return;
    }
    if (from > high || to < low) contiguous = false;
    low = std::min(low, from);
    high = std::max(high, to);
  }
};

// A file's content as the disk holds it: written through to `location`, with what its last sync left.
struct Inode {
  std::string location;  // its path; or the name it was moved aside to, deleted while its folder was not synced
  bool aside = false;
  std::int64_t synced_size = 0;
  std::map<std::int64_t, Piece> unsynced;  // by piece number
  std::int64_t writes_unsynced = 0;
  std::vector<sqlite3_file*> open;  // the inner files of its handles open now
};

// A name in a folder under the root: the file it names now, and the one it named when the folder was last synced
// (null: none).
struct Entry {
  Inode* live = nullptr;
  Inode* durable = nullptr;
};

std::string folder_of(const std::string& path) { return std::filesystem::path(path).parent_path().string(); }
std::string name_of(const std::string& path) { return std::filesystem::path(path).filename().string(); }

}  // namespace

struct PowerCutVfs::State {
  sqlite3_vfs vfs{};
  sqlite3_vfs* inner = nullptr;  // the default VFS before this one ("unix"), which does the real work
  std::string root;              // canonical, with a trailing '/'
  std::atomic<bool> cut{false};
  std::atomic<bool> full{false};  // set_full
  std::atomic<int> handles{0};  // every file open through the shim, under the root or not

  mutable std::mutex mutex;  // guards everything below
  std::vector<std::unique_ptr<Inode>> inodes;
  std::map<std::string, Entry> entries;  // by path (node-based: open files keep a pointer to their path)
  std::set<std::string> at_start;        // the files under the root when modelling began: taken as synced
  std::int64_t calls = 0;
  std::int64_t cut_call = 0;
  CutPoint cut_point;
  std::int64_t set_aside = 0;  // names given to files moved aside
  int open_files = 0;          // under the root
  struct Ghost {
    std::string folder;
    Loss loss = Loss::All;
    unsigned seed = 0;
    std::function<void(const CutPoint&, const Aftermath&)> taken;
  };
  std::map<std::int64_t, Ghost> ghosts;  // by the call before which each is taken

  bool under_root(const char* path) const { return path && std::strncmp(path, root.c_str(), root.size()) == 0; }

  // Counts a call that changes the disk; false when the power is off (now or before). Mutex held.
  bool count(const char* operation, const std::string& path) {
    if (cut) return false;
    ++calls;
    if (auto ghost = ghosts.find(calls); ghost != ghosts.end()) {
      take_ghost(ghost->second, {calls, operation, name_of(path)});
      ghosts.erase(ghost);
    }
    if (calls != cut_call) return true;
    cut = true;
    cut_point = {calls, operation, name_of(path)};
    return false;
  }

  Inode* new_inode(const std::string& path, std::int64_t size) {
    inodes.push_back(std::make_unique<Inode>());
    Inode* inode = inodes.back().get();
    inode->location = path;
    inode->synced_size = size;
    return inode;
  }

  // The file `path` names now, seen for the first time: one there when modelling began is as synced; one made since
  // outside SQLite (the stores create their database file themselves) has a name not yet synced. Mutex held.
  Inode* first_sight(Entry& entry, const std::string& path, bool fresh_entry) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return nullptr;
    entry.live = new_inode(path, info.st_size);
    if (fresh_entry && at_start.count(path)) entry.durable = entry.live;
    return entry.live;
  }

  // fsync of `folder`: every name in it now is durable; files set aside that no name holds any longer are gone.
  // Mutex held.
  void sync_folder(const std::string& folder) {
    for (auto& [path, entry] : entries)
      if (folder_of(path) == folder) entry.durable = entry.live;
    std::set<const Inode*> durable;
    for (const auto& [path, entry] : entries)
      if (entry.durable) durable.insert(entry.durable);
    for (const auto& inode : inodes)
      if (inode->aside && !durable.count(inode.get())) {
        ::unlink(inode->location.c_str());
        inode->aside = false;
        inode->location.clear();
      }
  }

  // Marks the bytes [from, to) of `inode` changed, first keeping the synced bytes of each piece they touch that has
  // not changed since the last sync, read in one go through `real` (one of its handles). Mutex held.
  static void changing(sqlite3_file* real, Inode& inode, std::int64_t from, std::int64_t to) {
    const std::int64_t first = from / kPiece;
    const std::int64_t last = (to - 1) / kPiece;
    std::string synced;  // the synced bytes of pieces first..last, read when one of them needs them
    for (std::int64_t number = first; number <= last; ++number) {
      const std::int64_t start = number * kPiece;
      auto [it, fresh] = inode.unsynced.try_emplace(number);
      Piece& piece = it->second;
      if (fresh) {
        const std::int64_t length = std::clamp<std::int64_t>(inode.synced_size - start, 0, kPiece);
        if (length > 0 && synced.empty()) {
          const std::int64_t span =
              std::clamp<std::int64_t>(inode.synced_size - first * kPiece, 0, (last - first + 1) * kPiece);
          synced.assign(static_cast<std::size_t>(span), '\0');
          // A short read leaves zeros, as the disk would read them.
          (void)real->pMethods->xRead(real, synced.data(), static_cast<int>(span), first * kPiece);
        }
        if (length > 0)
          piece.synced =
              synced.substr(static_cast<std::size_t>(start - first * kPiece), static_cast<std::size_t>(length));
      }
      piece.changed(static_cast<int>(std::max(from, start) - start),
                    static_cast<int>(std::min(to, start + kPiece) - start));
    }
  }

  // Puts the files under `base` (the root, or a copy of it) as the disk would hold them after a cut now: each name
  // takes the file it named when its folder was last synced, each file its synced bytes and size (Torn: for each
  // name, size change and piece, at random, what it holds now, or garbage for a piece's changed bytes). Leaves the
  // model as it is. Mutex held.
  PowerCutVfs::Aftermath restore(const std::string& base, Loss loss, std::mt19937& random) const {
    auto coin = [&random] { return random() % 2 == 0; };
    auto at = [&](const std::string& path) { return base + path.substr(root.size()); };
    auto fail = [](const std::string& what, const std::string& path) {
      throw std::runtime_error("PowerCutVfs: after the cut: " + what + " " + path + ": " + std::strerror(errno));
    };
    Aftermath after;
    for (const auto& inode : inodes) after.writes_unsynced += inode->writes_unsynced;

    std::map<const Inode*, std::string> placed;  // each file that stays, and where
    for (const auto& [path, entry] : entries) {
      const Inode* chosen = entry.durable;
      if (entry.live != entry.durable) {
        if (loss == Loss::Torn && coin())
          chosen = entry.live;
        else
          ++after.entries_undone;
      }
      const std::string target = at(path);
      if (entry.live && entry.live != chosen && ::unlink(target.c_str()) != 0) fail("unlink", target);
      if (chosen && chosen != entry.live && ::rename(at(chosen->location).c_str(), target.c_str()) != 0)
        fail("rename", at(chosen->location));
      if (chosen) placed[chosen] = target;
    }
    for (const auto& inode : inodes)
      if (inode->aside && !placed.count(inode.get()) && ::unlink(at(inode->location).c_str()) != 0)
        fail("unlink", at(inode->location));

    for (const auto& [inode, path] : placed) {
      const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);  // nobody has it open: closing drops no lock
      if (fd < 0) fail("open", path);
      struct stat info {};
      if (::fstat(fd, &info) != 0) fail("stat", path);
      std::int64_t size = inode->synced_size;
      if (info.st_size != size) {
        if (loss == Loss::Torn && coin())
          size = info.st_size;
        else
          ++after.sizes_undone;
      }
      if (size != info.st_size && ::ftruncate(fd, size) != 0) fail("truncate", path);
      for (const auto& [number, piece] : inode->unsynced) {
        const std::int64_t start = number * kPiece;
        if (start >= size) continue;
        const int length = static_cast<int>(std::min<std::int64_t>(kPiece, size - start));
        const unsigned choice = loss == Loss::All ? 1 : random() % 3;  // 0 keep, 1 lose, 2 garble
        if (choice == 0) {
          ++after.pieces_kept;
        } else if (choice == 2 && piece.contiguous && piece.low < std::min(piece.high, length)) {
          std::string garbage(static_cast<std::size_t>(std::min(piece.high, length) - piece.low), '\0');
          for (char& byte : garbage) byte = static_cast<char>(random());
          if (::pwrite(fd, garbage.data(), garbage.size(), start + piece.low) != static_cast<ssize_t>(garbage.size()))
            fail("write", path);
          ++after.pieces_garbled;
        } else {
          std::string bytes = piece.synced;
          bytes.resize(static_cast<std::size_t>(length), '\0');  // past the synced size: zeros
          if (::pwrite(fd, bytes.data(), bytes.size(), start) != static_cast<ssize_t>(bytes.size()))
            fail("write", path);
          ++after.pieces_lost;
        }
      }
      ::close(fd);
    }
    return after;
  }

  // A ghost cut: the files under the root copied into `ghost.folder` and restored there as a cut now would leave
  // them. A file SQLite holds open is read through one of its handles, as a descriptor of our own would drop the
  // process's locks on it when closed; -shm files are left out (shared memory, rebuilt from the log on the first
  // open after a cut). Mutex held.
  void take_ghost(const Ghost& ghost, const CutPoint& point) const {
    const std::string base = std::filesystem::path(ghost.folder).string() + "/";
    std::map<std::string, sqlite3_file*> through;  // a file's path → a handle open on it
    for (const auto& inode : inodes)
      if (!inode->open.empty() && !inode->location.empty()) through[inode->location] = inode->open.front();
    std::error_code error;
    for (auto it = std::filesystem::recursive_directory_iterator(root, error);
         !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
      const std::string path = it->path().string();
      const std::string target = base + path.substr(root.size());
      if (it->is_directory()) {
        std::filesystem::create_directories(target);
        continue;
      }
      if (!it->is_regular_file() || (path.size() > 4 && path.compare(path.size() - 4, 4, "-shm") == 0)) continue;
      std::filesystem::create_directories(std::filesystem::path(target).parent_path());
      auto handle = through.find(path);
      if (handle == through.end()) {
        std::filesystem::copy_file(path, target, std::filesystem::copy_options::overwrite_existing);
        continue;
      }
      sqlite3_file* real = handle->second;
      sqlite3_int64 size = 0;
      if (real->pMethods->xFileSize(real, &size) != SQLITE_OK) throw std::runtime_error("ghost cut: size " + path);
      std::string bytes(static_cast<std::size_t>(size), '\0');
      if (size > 0) (void)real->pMethods->xRead(real, bytes.data(), static_cast<int>(size), 0);
      std::ofstream(target, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    if (error) throw std::runtime_error("ghost cut: listing " + root + ": " + error.message());
    std::mt19937 random(ghost.seed);
    const Aftermath after = restore(base, ghost.loss, random);
    if (ghost.taken) ghost.taken(point, after);
  }

  // Modelling afresh: every file under the root now is as synced. Mutex held.
  void take_stock() {
    entries.clear();
    inodes.clear();
    at_start.clear();
    std::error_code error;
    for (auto it = std::filesystem::recursive_directory_iterator(root, error);
         !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error))
      if (it->is_regular_file(error)) at_start.insert(it->path().string());
    calls = 0;
    cut_call = 0;
    ghosts.clear();
    cut_point = {};
    cut = false;
  }
};

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Files (sqlite3_io_methods)
// ---------------------------------------------------------------------------------------------------------------

namespace {

using State = PowerCutVfs::State;

// What SQLite allocates per file (szOsFile): this, then the inner VFS's own file object.
struct ShimFile {
  sqlite3_file base;  // first: SQLite sees this
  State* state;
  Inode* inode;             // null: not under the root, passed through
  const std::string* path;  // the key of its entry (under the root only)
  bool sync_folder;         // its first sync also syncs its folder (unixOpen's DIRSYNC, see the header)
  sqlite3_file* real;
};
static_assert(std::is_standard_layout_v<ShimFile>);
constexpr std::size_t kShimSize = (sizeof(ShimFile) + 15) / 16 * 16;

ShimFile* shim(sqlite3_file* file) { return reinterpret_cast<ShimFile*>(file); }
bool dead(const ShimFile* file) { return file->inode && file->state->cut; }

int file_close(sqlite3_file* file) {
  ShimFile* f = shim(file);
  int rc = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
  if (f->inode) {
    std::lock_guard lock(f->state->mutex);
    auto& open = f->inode->open;
    open.erase(std::find(open.begin(), open.end(), f->real));
    --f->state->open_files;
  }
  --f->state->handles;
  return rc;
}

int file_read(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
  ShimFile* f = shim(file);
  if (dead(f)) return SQLITE_IOERR_READ;
  return f->real->pMethods->xRead(f->real, buffer, amount, offset);
}

int file_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  ShimFile* f = shim(file);
  if (!f->inode || amount <= 0) return f->real->pMethods->xWrite(f->real, data, amount, offset);
  if (f->state->full && !f->state->cut) {
    sqlite3_int64 size = 0;
    if (f->real->pMethods->xFileSize(f->real, &size) != SQLITE_OK || offset + amount > size) return SQLITE_FULL;
  }
  std::lock_guard lock(f->state->mutex);
  if (!f->state->count("write", *f->path)) return SQLITE_IOERR_WRITE;
  Inode& inode = *f->inode;
  State::changing(f->real, inode, offset, offset + amount);
  ++inode.writes_unsynced;
  return f->real->pMethods->xWrite(f->real, data, amount, offset);
}

int file_truncate(sqlite3_file* file, sqlite3_int64 size) {
  ShimFile* f = shim(file);
  if (!f->inode) return f->real->pMethods->xTruncate(f->real, size);
  std::lock_guard lock(f->state->mutex);
  if (!f->state->count("truncate", *f->path)) return SQLITE_IOERR_TRUNCATE;
  Inode& inode = *f->inode;
  sqlite3_int64 current = 0;
  if (int rc = f->real->pMethods->xFileSize(f->real, &current); rc != SQLITE_OK) return rc;
  // The synced bytes a truncation takes away are kept like written ones: the cut may undo it.
  const std::int64_t end = std::min<std::int64_t>(current, inode.synced_size);
  if (size < end) State::changing(f->real, inode, size, end);
  return f->real->pMethods->xTruncate(f->real, size);
}

int file_sync(sqlite3_file* file, int) {
  ShimFile* f = shim(file);
  if (!f->inode) return SQLITE_OK;  // no real fsync while the shim is installed (see the header)
  std::lock_guard lock(f->state->mutex);
  if (!f->state->count("sync", *f->path)) return SQLITE_IOERR_FSYNC;
  Inode& inode = *f->inode;
  sqlite3_int64 size = 0;
  if (int rc = f->real->pMethods->xFileSize(f->real, &size); rc != SQLITE_OK) return rc;
  inode.synced_size = size;
  inode.unsynced.clear();
  inode.writes_unsynced = 0;
  if (f->sync_folder) {
    f->sync_folder = false;
    f->state->sync_folder(folder_of(*f->path));
  }
  return SQLITE_OK;
}

int file_size(sqlite3_file* file, sqlite3_int64* size) {
  ShimFile* f = shim(file);
  if (dead(f)) return SQLITE_IOERR_FSTAT;
  return f->real->pMethods->xFileSize(f->real, size);
}

int file_lock(sqlite3_file* file, int level) {
  ShimFile* f = shim(file);
  if (dead(f)) return SQLITE_IOERR_LOCK;
  return f->real->pMethods->xLock(f->real, level);
}

int file_unlock(sqlite3_file* file, int level) {
  ShimFile* f = shim(file);
  return f->real->pMethods->xUnlock(f->real, level);
}

int file_check_reserved_lock(sqlite3_file* file, int* out) {
  ShimFile* f = shim(file);
  return f->real->pMethods->xCheckReservedLock(f->real, out);
}

int file_control(sqlite3_file* file, int op, void* argument) {
  ShimFile* f = shim(file);
  // Size hints and chunks would let the unix VFS grow the file itself, past the model: ignored (both are optional).
  if (f->inode && (op == SQLITE_FCNTL_SIZE_HINT || op == SQLITE_FCNTL_CHUNK_SIZE)) return SQLITE_OK;
  return f->real->pMethods->xFileControl(f->real, op, argument);
}

int file_sector_size(sqlite3_file* file) {
  ShimFile* f = shim(file);
  return f->real->pMethods->xSectorSize(f->real);
}

int file_device_characteristics(sqlite3_file* file) {
  ShimFile* f = shim(file);
  return f->real->pMethods->xDeviceCharacteristics(f->real);
}

// The -shm file is memory that SQLite rebuilds from the WAL when a database is first opened again, so it passes
// through: a cut only stops new mappings.
int file_shm_map(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  ShimFile* f = shim(file);
  if (dead(f)) return SQLITE_IOERR_SHMMAP;
  return f->real->pMethods->xShmMap(f->real, region, size, extend, out);
}

int file_shm_lock(sqlite3_file* file, int offset, int count, int flags) {
  ShimFile* f = shim(file);
  return f->real->pMethods->xShmLock(f->real, offset, count, flags);
}

void file_shm_barrier(sqlite3_file* file) {
  ShimFile* f = shim(file);
  f->real->pMethods->xShmBarrier(f->real);
}

int file_shm_unmap(sqlite3_file* file, int delete_flag) {
  ShimFile* f = shim(file);
  return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

// Version 2: shared memory, but no xFetch, so SQLite never reads a file through a memory map past the model.
const sqlite3_io_methods kFileMethods = {
    2,
    file_close,
    file_read,
    file_write,
    file_truncate,
    file_sync,
    file_size,
    file_lock,
    file_unlock,
    file_check_reserved_lock,
    file_control,
    file_sector_size,
    file_device_characteristics,
    file_shm_map,
    file_shm_lock,
    file_shm_barrier,
    file_shm_unmap,
    nullptr,
    nullptr,
};

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] The VFS (sqlite3_vfs)
// ---------------------------------------------------------------------------------------------------------------

State* state_of(sqlite3_vfs* vfs) { return static_cast<State*>(vfs->pAppData); }

int vfs_open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  State* state = state_of(vfs);
  ShimFile* f = shim(file);
  f->base.pMethods = nullptr;
  f->state = state;
  f->inode = nullptr;
  f->path = nullptr;
  f->sync_folder = false;
  f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kShimSize);
  f->real->pMethods = nullptr;
  sqlite3_vfs* inner = state->inner;
  if (!state->under_root(name)) {
    int rc = inner->xOpen(inner, name, f->real, flags, out_flags);
    if (f->real->pMethods) {  // SQLite closes a file whose methods are set, even when the open failed
      f->base.pMethods = &kFileMethods;
      ++state->handles;
    }
    return rc;
  }
  std::lock_guard lock(state->mutex);
  if (state->cut) return SQLITE_IOERR;
  auto [it, fresh_entry] = state->entries.try_emplace(name);
  Entry& entry = it->second;
  bool made = false;
  if (!entry.live && !state->first_sight(entry, name, fresh_entry)) {
    entry.live = state->new_inode(name, 0);  // xOpen creates it (with SQLITE_OPEN_CREATE)
    made = true;
  }
  int rc = inner->xOpen(inner, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (f->real->pMethods) f->real->pMethods->xClose(f->real);
    if (made) entry.live = nullptr;
    return rc;
  }
  f->inode = entry.live;
  f->path = &it->first;
  // As unixOpen: a created WAL or rollback journal syncs its folder at its first sync.
  const int type = flags & static_cast<int>(0xFFFFFF00);
  f->sync_folder = (flags & SQLITE_OPEN_CREATE) &&
                   (type == SQLITE_OPEN_SUPER_JOURNAL || type == SQLITE_OPEN_MAIN_JOURNAL || type == SQLITE_OPEN_WAL);
  f->inode->open.push_back(f->real);
  ++state->open_files;
  ++state->handles;
  f->base.pMethods = &kFileMethods;
  return SQLITE_OK;
}

int vfs_delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  State* state = state_of(vfs);
  if (!state->under_root(name)) return state->inner->xDelete(state->inner, name, sync_dir);
  std::lock_guard lock(state->mutex);
  if (!state->count("delete", name)) return SQLITE_IOERR_DELETE;
  auto [it, fresh_entry] = state->entries.try_emplace(name);
  Entry& entry = it->second;
  if (!entry.live && !state->first_sight(entry, name, fresh_entry)) return SQLITE_IOERR_DELETE_NOENT;
  Inode* inode = entry.live;
  if (inode == entry.durable) {
    // The name may come back with the file after a cut: moved aside until the folder is synced.
    const std::string aside = folder_of(name) + "/.power-cut-aside-" + std::to_string(++state->set_aside);
    if (::rename(name, aside.c_str()) != 0) return errno == ENOENT ? SQLITE_IOERR_DELETE_NOENT : SQLITE_IOERR_DELETE;
    inode->location = aside;
    inode->aside = true;
  } else {
    if (::unlink(name) != 0) return errno == ENOENT ? SQLITE_IOERR_DELETE_NOENT : SQLITE_IOERR_DELETE;
    inode->location.clear();
  }
  entry.live = nullptr;
  if (sync_dir & 1) state->sync_folder(folder_of(name));  // as unixDelete
  return SQLITE_OK;
}

int vfs_access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  State* state = state_of(vfs);
  if (state->under_root(name) && state->cut) return SQLITE_IOERR_ACCESS;
  return state->inner->xAccess(state->inner, name, flags, out);
}

int vfs_full_pathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
  sqlite3_vfs* inner = state_of(vfs)->inner;
  return inner->xFullPathname(inner, name, size, out);
}

void* vfs_dl_open(sqlite3_vfs* vfs, const char* name) {
  sqlite3_vfs* inner = state_of(vfs)->inner;
  return inner->xDlOpen(inner, name);
}

void vfs_dl_error(sqlite3_vfs* vfs, int size, char* out) {
  sqlite3_vfs* inner = state_of(vfs)->inner;
  inner->xDlError(inner, size, out);
}

void (*vfs_dl_sym(sqlite3_vfs* vfs, void* library, const char* symbol))(void) {
  sqlite3_vfs* inner = state_of(vfs)->inner;
  return inner->xDlSym(inner, library, symbol);
}

void vfs_dl_close(sqlite3_vfs* vfs, void* library) {
  sqlite3_vfs* inner = state_of(vfs)->inner;
  inner->xDlClose(inner, library);
}

int vfs_randomness(sqlite3_vfs* vfs, int size, char* out) {
  sqlite3_vfs* inner = state_of(vfs)->inner;
  return inner->xRandomness(inner, size, out);
}

int vfs_sleep(sqlite3_vfs* vfs, int microseconds) {
  sqlite3_vfs* inner = state_of(vfs)->inner;
  return inner->xSleep(inner, microseconds);
}

int vfs_current_time(sqlite3_vfs* vfs, double* out) {
  sqlite3_vfs* inner = state_of(vfs)->inner;
  return inner->xCurrentTime(inner, out);
}

int vfs_get_last_error(sqlite3_vfs* vfs, int size, char* out) {
  sqlite3_vfs* inner = state_of(vfs)->inner;
  return inner->xGetLastError(inner, size, out);
}

int vfs_current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  sqlite3_vfs* inner = state_of(vfs)->inner;
  return inner->xCurrentTimeInt64(inner, out);
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Installing, cutting, restarting
// ---------------------------------------------------------------------------------------------------------------

std::string_view PowerCutVfs::loss_name(Loss loss) { return loss == Loss::All ? "all" : "torn"; }

PowerCutVfs::PowerCutVfs(const std::filesystem::path& root) : state_(std::make_unique<State>()) {
  State& state = *state_;
  state.inner = sqlite3_vfs_find(nullptr);
  if (!state.inner) throw std::runtime_error("PowerCutVfs: SQLite has no default VFS");
  state.root = std::filesystem::canonical(root).string() + "/";
  {
    std::lock_guard lock(state.mutex);
    state.take_stock();
  }
  sqlite3_vfs& vfs = state.vfs;
  vfs.iVersion = 2;  // no system-call overrides through the shim
  vfs.szOsFile = static_cast<int>(kShimSize) + state.inner->szOsFile;
  vfs.mxPathname = state.inner->mxPathname;
  vfs.zName = "power-cut";
  vfs.pAppData = &state;
  vfs.xOpen = vfs_open;
  vfs.xDelete = vfs_delete;
  vfs.xAccess = vfs_access;
  vfs.xFullPathname = vfs_full_pathname;
  vfs.xDlOpen = vfs_dl_open;
  vfs.xDlError = vfs_dl_error;
  vfs.xDlSym = vfs_dl_sym;
  vfs.xDlClose = vfs_dl_close;
  vfs.xRandomness = vfs_randomness;
  vfs.xSleep = vfs_sleep;
  vfs.xCurrentTime = vfs_current_time;
  vfs.xGetLastError = vfs_get_last_error;
  vfs.xCurrentTimeInt64 = vfs_current_time_int64;
  if (sqlite3_vfs_register(&vfs, 1) != SQLITE_OK) throw std::runtime_error("PowerCutVfs: cannot register");
}

PowerCutVfs::~PowerCutVfs() {
  if (int open = state_->handles.load(); open != 0) {
    // Their methods would call into freed memory: a test bug, caught here rather than as a crash later.
    std::fprintf(stderr, "PowerCutVfs destroyed with %d SQLite files still open through it\n", open);
    std::abort();
  }
  sqlite3_vfs_unregister(&state_->vfs);
  sqlite3_vfs_register(state_->inner, 1);
}

std::int64_t PowerCutVfs::calls() const {
  std::lock_guard lock(state_->mutex);
  return state_->calls;
}

void PowerCutVfs::cut_at(std::int64_t call) {
  std::lock_guard lock(state_->mutex);
  state_->cut_call = call;
}

void PowerCutVfs::cut_now() {
  std::lock_guard lock(state_->mutex);
  if (state_->cut) return;
  state_->cut = true;
  state_->cut_point = {state_->calls + 1, "none", ""};
}

bool PowerCutVfs::is_cut() const { return state_->cut; }

void PowerCutVfs::set_full(bool full) { state_->full = full; }

PowerCutVfs::CutPoint PowerCutVfs::cut_point() const {
  std::lock_guard lock(state_->mutex);
  return state_->cut_point;
}

int PowerCutVfs::open_files() const {
  std::lock_guard lock(state_->mutex);
  return state_->open_files;
}

void PowerCutVfs::ghost_cut_at(std::int64_t call, const std::filesystem::path& folder, Loss loss, unsigned seed,
                               std::function<void(const CutPoint&, const Aftermath&)> taken) {
  std::lock_guard lock(state_->mutex);
  state_->ghosts[call] = {folder.string(), loss, seed, std::move(taken)};
}

PowerCutVfs::Aftermath PowerCutVfs::restart(Loss loss, std::mt19937& random) {
  State& state = *state_;
  std::lock_guard lock(state.mutex);
  if (state.open_files != 0)
    throw std::logic_error("PowerCutVfs::restart: " + std::to_string(state.open_files) +
                           " files under the root are still open");
  const Aftermath after = state.restore(state.root, loss, random);
  state.take_stock();
  return after;
}

}  // namespace tsunagi::testing
