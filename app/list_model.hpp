// The record list's data: a query, its total, and its rows fetched in pages on a background thread, so that the
// UI thread never waits on SQLite and 100,000 records scroll as smoothly as 100. No ImGui here; the screen draws
// from state() and row(), and says which rows it shows through want_rows().
//
// The worker opens its own Store on the data folder (a Store is one SQLite connection and not thread-safe) and
// keeps it for the model's lifetime. A new query supersedes every page still waiting for the old one; pages
// answering an old query are dropped by poll(). At most kCachedPages pages are kept, the farthest from the rows
// on screen going first. The worker also reads the reference data (choices for the filters) at start and on
// reload_reference().
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "model/error.hpp"
#include "model/reference.hpp"
#include "model/store.hpp"

namespace tsunagi {

// What the list screen shows, besides the rows. Owned by the UI thread.
struct RecordListState {
  RecordQuery query;           // the query the total and rows answer
  std::int64_t total = 0;      // every record matching the query
  bool loaded = false;         // a count (or error) has arrived at least once
  bool loading = false;        // the count or a wanted page is still on its way
  std::optional<Error> error;  // the latest request failed
  std::shared_ptr<const ReferenceData> reference;  // null until read
  std::uint64_t revision = 0;  // grows each time anything here or any row changes
};

class RecordListModel {
 public:
  static constexpr int kPageSize = 100;
  static constexpr std::size_t kCachedPages = 64;

  // Starts the worker thread; it opens its Store on `data_folder` at the first request (and retries at the next
  // request if that fails). With nothing asked, the worker indexes the store's full-text backlog a step at a
  // time (after a restore or an import, and again after each reload), so that a first search does not wait.
  // `on_result`, if set, is called on the worker thread after each result is ready (e.g. to wake an idle event
  // loop); it must be thread-safe and quick.
  explicit RecordListModel(std::filesystem::path data_folder, std::function<void()> on_result = {});
  // Asks the worker to stop, and joins it (waiting for a running query to finish).
  ~RecordListModel();
  RecordListModel(const RecordListModel&) = delete;
  RecordListModel& operator=(const RecordListModel&) = delete;

  // UI thread. Counts `query` and loads its first page in the background (limit and offset are set here).
  void request(RecordQuery query);
  // UI thread. The same query again, after records changed: the rows on screen stay until fresh ones arrive.
  void reload();
  // UI thread. Reads the reference data again (after a sync brought new choices).
  void reload_reference();
  // UI thread. The screen shows rows [first, last): their pages are loaded if they are not cached.
  void want_rows(std::int64_t first, std::int64_t last);
  // UI thread, once a frame: takes finished results. Returns true when state() or rows changed.
  bool poll();

  // UI thread. What to draw; change only in poll(), request() and reload().
  const RecordListState& state() const { return visible_; }
  // Row `index` of the query's order, or null while its page is loading.
  const RecordSummary* row(std::int64_t index) const;
  // The rows that arrived in the last poll() (for the glyph atlas).
  const std::vector<const RecordSummary*>& arrived() const { return arrived_; }
  // UI thread. The first row the screen last showed (want_rows), rounded down to its page.
  std::int64_t first_wanted_row() const { return static_cast<std::int64_t>(focus_page_) * kPageSize; }
  // UI thread. The query last requested (state().query is the one last answered).
  const RecordQuery& requested_query() const { return requested_; }

 private:
  struct Job {
    std::uint64_t serial = 0;
    RecordQuery query;  // with limit and offset of the page
    int page = -1;      // -1: count only
  };
  struct Answer {
    std::uint64_t serial = 0;
    int page = -1;
    std::int64_t total = 0;
    std::vector<RecordSummary> rows;
    std::optional<Error> error;
  };

  void enqueue_page(int page);
  void run_worker();
  void evict_far_pages(int around);

  const std::filesystem::path data_folder_;
  const std::function<void()> on_result_;

  // UI thread only.
  RecordListState visible_;
  RecordQuery requested_;
  std::uint64_t serial_ = 0;
  std::map<int, std::vector<RecordSummary>> pages_;  // answers to serial_
  std::map<int, std::vector<RecordSummary>> stale_;  // the previous answers, shown until reload() replaces them
  std::map<int, bool> asked_;                        // pages of serial_ requested and not yet answered
  bool count_pending_ = false;
  int focus_page_ = 0;  // where the screen looks
  std::vector<const RecordSummary*> arrived_;

  // mutex_ guards jobs_, answers_, reference_wanted_, reference_, backlog_wanted_ and stopping_; wake_ signals the
  // worker.
  // Held only to move values in and out, never while a query runs.
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;  // newest first
  std::vector<Answer> answers_;
  bool reference_wanted_ = true;
  bool backlog_wanted_ = true;  // the full-text backlog may hold records: index it, a step at a time, when idle
  std::shared_ptr<const ReferenceData> reference_;
  bool reference_fresh_ = false;
  bool stopping_ = false;

  std::thread worker_;  // last: starts after every field above is constructed
};

}  // namespace tsunagi
