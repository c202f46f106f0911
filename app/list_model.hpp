// The record list's data: a query, the rows it found and their total, loaded on a background thread so that the
// UI thread never waits on SQLite. No ImGui here; the screen draws from state().
//
// The worker opens its own Store on the data folder (a Store is one SQLite connection and not thread-safe) and
// keeps it for the model's lifetime. Requests coalesce: while a query runs, only the newest waiting one is kept,
// and a result that is no longer the latest request is dropped by poll().
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "model/error.hpp"
#include "model/store.hpp"

namespace tsunagi {

// What the list screen shows. Owned by the UI thread.
struct RecordListState {
  RecordQuery query;                // the query the rows answer
  std::vector<RecordSummary> rows;  // at most RecordListModel::kPageSize
  std::int64_t total = 0;           // every record matching the query, beyond the page
  bool loaded = false;              // a result (rows or error) has arrived at least once
  bool loading = false;             // a request is waiting or running
  std::optional<Error> error;       // the latest request failed; rows are those of the last success
  std::uint64_t revision = 0;       // grows each time rows change, so callers can notice new text
};

class RecordListModel {
 public:
  static constexpr int kPageSize = 200;

  // Starts the worker thread; it opens its Store on `data_folder` at the first request (and retries at the next
  // request if that fails). `on_result`, if set, is
  // called on the worker thread after each result is ready (e.g. to wake an idle event loop); it must be
  // thread-safe and quick.
  explicit RecordListModel(std::filesystem::path data_folder, std::function<void()> on_result = {});
  // Asks the worker to stop, and joins it (waiting for a running query to finish).
  ~RecordListModel();
  RecordListModel(const RecordListModel&) = delete;
  RecordListModel& operator=(const RecordListModel&) = delete;

  // UI thread. Loads the first page of `query` (limit and offset are set here) in the background.
  void request(RecordQuery query);
  // UI thread, once a frame: moves a finished result into state(). Returns true when state() changed.
  bool poll();
  // UI thread. What to draw; changes only in poll() and request().
  const RecordListState& state() const { return visible_; }
  // UI thread. The query last requested (state().query is the one last answered).
  const RecordQuery& requested_query() const { return requested_; }

 private:
  struct LoadResult {
    std::uint64_t serial = 0;
    RecordQuery query;
    std::vector<RecordSummary> rows;
    std::int64_t total = 0;
    std::optional<Error> error;
  };

  void run_worker();
  static LoadResult load(Store* store, const std::optional<Error>& open_error, std::uint64_t serial,
                         const RecordQuery& query);

  const std::filesystem::path data_folder_;
  const std::function<void()> on_result_;

  // UI thread only.
  RecordListState visible_;
  RecordQuery requested_;
  std::uint64_t requested_serial_ = 0;

  // mutex_ guards pending_, pending_serial_, finished_ and stopping_; wake_ signals the worker when one of them
  // changes. Held only to move values in and out, never while a query runs.
  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<RecordQuery> pending_;  // the newest request not yet taken by the worker
  std::uint64_t pending_serial_ = 0;
  std::optional<LoadResult> finished_;  // the newest result not yet taken by poll()
  bool stopping_ = false;

  std::thread worker_;  // last: starts after every field above is constructed
};

}  // namespace tsunagi
