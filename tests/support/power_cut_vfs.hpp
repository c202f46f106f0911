// A disk that loses its power: a SQLite VFS over the default one ("unix") for power-cut trials, after the technique
// of SQLite's own crash tests (src/test6.c), held to what a real disk keeps. Written data survives a power cut once
// an fsync covered it; data written and not yet synced may be lost in whole or in part, in any order; a file created
// or deleted survives as an entry of its folder once that folder was synced.
//
// How: files under `root` are written through to the real files, but for each piece (512 bytes) written since its
// file's last xSync the shim keeps the bytes it held when last synced, with the file's synced size; creations and
// deletions since the folder's last sync are kept the same way (a deleted file is moved aside, not removed, until
// its folder is synced). A cut comes at a chosen call among those that change the disk (xWrite, xSync, xTruncate,
// xDelete under the root): that call and every later one on a file under the root fails, as on a dead machine. Once
// the test has closed every connection, restart() puts back what the disk would hold: the synced bytes, sizes and
// folder entries (Loss::All), or for each piece at random the new bytes, the synced ones or garbage (Loss::Torn, as
// test6.c does, but only over the bytes written since the sync: SQLite's unix VFS declares powersafe overwrite).
//
// The folder is synced when SQLite's unix VFS syncs it (os_unix.c, unixOpen and unixSync): the first xSync of a file
// opened with SQLITE_OPEN_CREATE as a WAL or rollback journal also fsyncs its folder, once; xDelete with dirSync
// does too. The shim does the same in its model. Nothing calls the real fsync while the shim is installed (the
// model is the disk's durability; the real disk does not lose power in a test), so trials run at memory speed.
//
// Installed as SQLite's default VFS for the object's lifetime (no product code names a VFS), so every connection
// opened meanwhile uses it; files outside `root` pass through untouched (and unsynced). Every connection opened
// while it is installed must be closed before it is destroyed. One instance at a time.
//
// Thread safety: SQLite may call it from any number of connections on any threads; the public functions are safe to
// call from one test thread beside them.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>

namespace tsunagi::testing {

class PowerCutVfs {
 public:
  // What a cut leaves of what was written and not synced.
  enum class Loss {
    All,   // every unsynced write, size change, creation and deletion is lost: each file is as last synced
    Torn,  // each unsynced piece keeps its new bytes, goes back to its synced ones or turns to garbage, at random;
           // each unsynced size change, creation or deletion stays or is undone, at random
  };
  static std::string_view loss_name(Loss loss);  // "all", "torn"

  // Where the power went: the call that did not happen, and its file's name ("collector.db-wal").
  struct CutPoint {
    std::int64_t call = 0;  // 1-based, among the counted calls since construction; 0: not cut
    std::string operation;  // "write", "sync", "truncate", "delete"
    std::string file;
  };

  // What restart() took back.
  struct Aftermath {
    std::int64_t writes_unsynced = 0;  // xWrite calls after their file's last sync (each lost in whole or part)
    std::int64_t pieces_lost = 0;      // unsynced 512-byte pieces back to their synced bytes
    std::int64_t pieces_kept = 0;      // ... keeping their new bytes (Loss::Torn)
    std::int64_t pieces_garbled = 0;   // ... whose new bytes became garbage (Loss::Torn)
    std::int64_t entries_undone = 0;   // files created or deleted since their folder's sync, undone
    std::int64_t sizes_undone = 0;     // files whose size went back to the synced one
  };

  // Installs the shim as the default VFS, modelling the files under `root` (which should exist: the folder itself is
  // taken as durable, and so is every file in it now).
  explicit PowerCutVfs(const std::filesystem::path& root);
  ~PowerCutVfs();  // the previous default VFS is the default again
  PowerCutVfs(const PowerCutVfs&) = delete;
  PowerCutVfs& operator=(const PowerCutVfs&) = delete;

  // The counted calls so far (write, sync, truncate, delete on files under the root).
  std::int64_t calls() const;
  // The power goes off at counted call `call` (1-based, counted since construction): that call fails, as every
  // later one. 0: never.
  void cut_at(std::int64_t call);
  // The power goes off now (if it has not).
  void cut_now();
  bool is_cut() const;
  CutPoint cut_point() const;
  // The disk is full (or has room again): while it is, a write under the root that would take a new block (past
  // the file's end) fails with SQLITE_FULL, as ENOSPC does; writes within a file go on. Nothing is counted or cut.
  void set_full(bool full);
  // Files under the root held open by SQLite now.
  int open_files() const;

  // A ghost cut, for trials that check many cut points in one run: just before counted call `call`, the files under
  // the root are copied into `folder` and put there as restart() would put them after a cut at that moment (with
  // `loss`, and `seed` for its randomness). Then `taken` runs with where the cut fell and what it took, under the
  // shim's lock (keep it short: note what was acknowledged by then). The machine goes on as if nothing happened.
  void ghost_cut_at(std::int64_t call, const std::filesystem::path& folder, Loss loss, unsigned seed,
                    std::function<void(const CutPoint&, const Aftermath&)> taken);

  // The machine starts again after a cut: puts the files under the root as the disk would hold them, and from then
  // on models them afresh, all taken as synced. Every file under the root must be closed (throws otherwise).
  Aftermath restart(Loss loss, std::mt19937& random);

  struct State;  // the model and the VFS (power_cut_vfs.cpp)

 private:
  std::unique_ptr<State> state_;
};

}  // namespace tsunagi::testing
