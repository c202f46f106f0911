// The review side of one record, for the screens: its comment thread, its history and the decisions made on it.
// No ImGui here. The record and its comments are read on the UI thread (one record, like the editor); the history
// comes from the collector on a thread of its own (never a network call on the UI thread), or, offline, from the
// copy the device kept; comments and decisions are written through the StoreWriter and go with the next sync.
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/store_writer.hpp"
#include "model/error.hpp"
#include "model/review.hpp"
#include "model/store.hpp"
#include "sync/client.hpp"

namespace tsunagi {

// A record's history as the screens show it: what sync::read_history gave (entries, the time of a kept copy when
// offline, or only the creation of a record never sent), while another answer is on its way or not.
struct HistoryView : sync::HistoryRead {
  bool loading = false;
  std::optional<Error> error;  // neither the collector nor a kept copy
};

// What the history worker gives back for `record_id`.
struct HistoryAnswer {
  std::string record_id;
  Result<sync::HistoryRead> read = sync::HistoryRead{};
};
// Reads a record's history for the device whose data folder is `data_dir`: from the collector when it is
// enrolled and reachable (and keeps it for offline reading), else the copy kept, else (a record never sent) its
// creation. Blocking: for a worker thread.
HistoryAnswer read_history(const std::filesystem::path& data_dir, const std::string& record_id);

class ReviewModel {
 public:
  // `store`: the UI thread's connection (one record and its comments); `writer`: where comments and decisions go.
  ReviewModel(std::filesystem::path data_dir, Store& store, StoreWriter& writer, std::function<void()> wake = {});
  ~ReviewModel();
  ReviewModel(const ReviewModel&) = delete;
  ReviewModel& operator=(const ReviewModel&) = delete;

  // Shows record `id`: reads it and its comments, and asks for its history.
  void open(const std::string& id);
  // Reads the open record and its comments again (after a sync or a write); `history` asks the collector again.
  void reload(bool history);
  // Takes a finished history. True when anything shown changed.
  bool poll();

  const std::string& id() const { return id_; }
  const std::optional<Record>& record() const { return record_; }
  const std::vector<Comment>& comments() const { return comments_; }
  // The newest decision with its reason (the staff editor shows it at the top of a returned record), or null.
  const Comment* latest_decision() const;
  const HistoryView& history() const { return history_; }
  // The last comment or decision this model wrote, refused (with why) or nullopt.
  const std::optional<Error>& error() const { return error_; }
  bool writing() const { return writing_; }
  // A revision that grows with every change of what is shown (for the glyph atlas).
  std::uint64_t revision() const { return revision_; }

  // Adds `text` to the open record's thread (as the enrolled `role`). `done` runs on the UI thread when stored.
  void add_comment(const std::string& text, const std::string& role, std::function<void()> done = {});
  // Decides on `ids` (several, for the queue's 承認), with `comment` as the reason.
  void decide(const std::vector<std::string>& ids, ReviewDecision decision, const std::string& comment,
              const std::string& role, std::function<void()> done = {});

 private:
  void read_open();
  void fetch_history();
  // Runs `job` on the writer; its error, if any, is error() once it comes back; `done` runs on success.
  void write(std::function<Status(Store&)> job, std::function<void()> done);

  const std::filesystem::path data_dir_;
  Store& store_;
  StoreWriter& writer_;
  const std::function<void()> wake_;
  std::string id_;
  std::optional<Record> record_;
  std::vector<Comment> comments_;
  HistoryView history_;
  std::optional<Error> error_;
  bool writing_ = false;
  std::uint64_t revision_ = 0;
  std::vector<std::future<HistoryAnswer>> pending_;  // the newest answers the open record; older ones are dropped
};

}  // namespace tsunagi
