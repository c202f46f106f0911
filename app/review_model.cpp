#include "app/review_model.hpp"

#include <chrono>

#include "sync/client.hpp"

namespace tsunagi {

HistoryAnswer read_history(const std::filesystem::path& data_dir, const std::string& record_id) {
  auto enrollment = sync::load_enrollment(data_dir);
  if (!enrollment) return {record_id, enrollment.error()};
  auto store = Store::open(data_dir);
  if (!store) return {record_id, store.error()};
  return {record_id, sync::read_history(**store, *enrollment, record_id)};
}

ReviewModel::ReviewModel(std::filesystem::path data_dir, Store& store, StoreWriter& writer, std::function<void()> wake)
    : data_dir_(std::move(data_dir)), store_(store), writer_(writer), wake_(std::move(wake)) {}

ReviewModel::~ReviewModel() {
  for (auto& pending : pending_) pending.wait();  // each is bounded by the transport's timeouts
}

void ReviewModel::open(const std::string& id) {
  if (id == id_ && record_) return reload(false);
  id_ = id;
  history_ = {};
  error_.reset();
  read_open();
  fetch_history();
}

void ReviewModel::reload(bool history) {
  if (id_.empty()) return;
  read_open();
  if (history) fetch_history();
}

void ReviewModel::read_open() {
  ++revision_;
  auto record = store_.get(id_);
  record_ = record ? *record : std::nullopt;
  auto comments = store_.comments(id_);
  comments_ = comments ? std::move(*comments) : std::vector<Comment>{};
  if (!record || !comments) error_ = !record ? record.error() : comments.error();
}

void ReviewModel::fetch_history() {
  history_.loading = true;
  pending_.push_back(std::async(std::launch::async, [data_dir = data_dir_, id = id_, wake = wake_] {
    HistoryAnswer answer = read_history(data_dir, id);
    if (wake) wake();
    return answer;
  }));
}

bool ReviewModel::poll() {
  bool changed = false;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      ++it;
      continue;
    }
    HistoryAnswer answer = it->get();
    it = pending_.erase(it);
    if (answer.record_id != id_) continue;  // asked for a record no longer open
    HistoryView shown;
    if (answer.read)
      static_cast<sync::HistoryRead&>(shown) = std::move(*answer.read);
    else
      shown.error = answer.read.error();
    shown.loading = !pending_.empty();
    history_ = std::move(shown);
    ++revision_;
    changed = true;
  }
  return changed;
}

const Comment* ReviewModel::latest_decision() const {
  for (auto it = comments_.rbegin(); it != comments_.rend(); ++it)
    if (!it->decision.empty()) return &*it;
  return nullptr;
}

void ReviewModel::add_comment(const std::string& text, const std::string& role, std::function<void()> done) {
  write(
      [id = id_, text, role](Store& store) {
        auto added = store.add_comment(id, text, role);
        return added ? ok_status() : Status(added.error());
      },
      std::move(done));
}

void ReviewModel::decide(const std::vector<std::string>& ids, ReviewDecision decision, const std::string& comment,
                         const std::string& role, std::function<void()> done) {
  write(
      [ids, decision, comment, role](Store& store) {
        auto decided = store.review(ids, decision, comment, role);
        return decided ? ok_status() : Status(decided.error());
      },
      std::move(done));
}

void ReviewModel::write(std::function<Status(Store&)> job, std::function<void()> done) {
  writing_ = true;
  error_.reset();
  writer_.post([this, job = std::move(job), done = std::move(done)](Store* store,
                                                                      const Error* open_error) -> StoreWriter::Completion {
    Status written = store ? job(*store) : Status(*open_error);
    std::optional<Error> error = written ? std::nullopt : std::optional<Error>(written.error());
    return [this, error, done] {
      writing_ = false;
      error_ = error;
      reload(false);
      if (!error && done) done();
    };
  });
}

}  // namespace tsunagi
