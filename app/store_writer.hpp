// Writes to the store on a thread and connection of its own, so that the UI thread never waits for SQLite's write
// lock: a sync page, an import or an index rebuild on another connection may hold it for seconds, and a frame must
// not. The editor's saves, its autosave and the window's settings go through here.
//
// A job runs on the worker with the worker's Store and returns a completion, which the UI thread runs when it next
// calls poll(): the completion carries the job's result back (as captured values) and applies it to UI state. Jobs
// run one at a time in the order posted, so a job sees everything posted before it, and a completion posted as a
// barrier (a job that only returns its completion) runs after every earlier write committed.
//
// Thread safety: post(), poll(), busy() and wait_idle() are for the thread that owns the writer (the UI thread).
#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "model/error.hpp"
#include "model/store.hpp"

namespace tsunagi {

class StoreWriter {
 public:
  using Completion = std::function<void()>;
  // Runs on the worker. `store` is null when the store could not be opened (then `open_error` says why); the job
  // reports that through its completion.
  using Job = std::function<Completion(Store* store, const Error* open_error)>;

  // How long a write waits for another connection's lock before it fails with "store.busy": long, as nobody waits
  // for it but the record (the UI thread goes on drawing, and the scratch keeps the typing meanwhile).
  static constexpr int kBusyTimeoutMs = 60000;

  // Starts the worker, which opens its Store on `data_folder` with `options` at the first job. `wake`, if set, is
  // called on the worker after each job (to wake an idle event loop); it must be thread-safe and quick.
  explicit StoreWriter(std::filesystem::path data_folder, StoreOptions options = {}, std::function<void()> wake = {});
  // Runs every job already posted (what was typed is stored before the window closes), then joins the worker.
  // Completions not yet taken are dropped.
  ~StoreWriter();
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;

  void post(Job job);
  // Runs the completions of the jobs finished since the last call, in order. Returns true when any ran.
  bool poll();
  // Jobs posted whose completion has not run yet.
  bool busy() const { return posted_ != completed_; }
  // Blocks until every job posted so far finished, then runs their completions (tests; and callers that must
  // read what was just written).
  void wait_idle();

 private:
  void run_worker();

  const std::filesystem::path data_folder_;
  const StoreOptions options_;
  const std::function<void()> wake_;
  std::uint64_t posted_ = 0;     // UI thread only
  std::uint64_t completed_ = 0;  // UI thread only

  // mutex_ guards jobs_, done_, finished_ and stopping_; work_ signals the worker, idle_ signals wait_idle().
  std::mutex mutex_;
  std::condition_variable work_, idle_;
  std::deque<Job> jobs_;
  std::vector<Completion> done_;
  std::uint64_t finished_ = 0;  // jobs the worker finished
  bool stopping_ = false;

  std::thread worker_;  // last: starts after every field above is constructed
};

}  // namespace tsunagi
