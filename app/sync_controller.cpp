#include "app/sync_controller.hpp"

#include <algorithm>
#include <utility>

#include "sync/protocol.hpp"
#include "model/platform.hpp"

namespace tsunagi {

std::string_view connection_name(Connection connection) {
  switch (connection) {
    case Connection::Unknown:
      return "unknown";
    case Connection::Online:
      return "online";
    case Connection::NoNetwork:
      return "no_network";
    case Connection::NotAnswering:
      return "not_answering";
    case Connection::PinMismatch:
      return "pin_mismatch";
    case Connection::Refusing:
      return "refusing";
  }
  return "unknown";
}

Connection connection_for(const Error& error) {
  const std::string& code = error.code;
  if (code == "net.no_network") return Connection::NoNetwork;
  if (code == "tls.pin_mismatch") return Connection::PinMismatch;
  if (code == "auth.token" || code == "auth.revoked" || code == "http.401" || code == "http.403")
    return Connection::Refusing;
  if (code.rfind("net.", 0) == 0 || code.rfind("tls.", 0) == 0 || code.rfind("http.5", 0) == 0)
    return Connection::NotAnswering;
  return Connection::Online;  // the collector answered (an error of its own, or of a record)
}

SyncAdvice advice_for(sync::SyncResult result, const Error& error) {
  switch (result) {
    case sync::SyncResult::Done:
      return SyncAdvice::None;
    case sync::SyncResult::NotEnrolled:
      return SyncAdvice::Enroll;
    case sync::SyncResult::PinMismatch:
      return SyncAdvice::CallOffice;
    case sync::SyncResult::Rejected:
      return SyncAdvice::OpenRecord;
    case sync::SyncResult::Offline:
      return connection_for(error) == Connection::NoNetwork ? SyncAdvice::NoNetwork : SyncAdvice::NotAnswering;
    case sync::SyncResult::Failed:
      return SyncAdvice::Check;
  }
  return SyncAdvice::Check;
}



SyncController::SyncController(std::filesystem::path data_folder, std::function<void()> on_change,
                               SyncControllerOptions options)
    : data_folder_(std::move(data_folder)), on_change_(std::move(on_change)), options_(std::move(options)) {
  if (options_.device_name.empty()) options_.device_name = platform::host_name();
  // Backoff waits end early when the window closes.
  options_.engine.sleep = [this](int milliseconds) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(milliseconds), [this] { return stopping_; });
  };
  commands_.refresh = true;
  worker_ = std::thread([this] { run_worker(); });
}

SyncController::~SyncController() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cancel_ = true;
  wake_.notify_all();
  worker_.join();
}

std::uint64_t SyncController::sync_now() {
  visible_.running = true;  // shown at once; the worker confirms
  const std::uint64_t ticket = ++last_ticket_;
  {
    std::lock_guard lock(mutex_);
    commands_.sync_ticket = ticket;
  }
  wake_.notify_all();
  return ticket;
}

void SyncController::enroll(std::string line) {
  if (visible_.enrolling) return;
  visible_.enrolling = true;
  visible_.enroll_error.reset();
  {
    std::lock_guard lock(mutex_);
    commands_.enroll_line = std::move(line);
  }
  wake_.notify_all();
}

void SyncController::refresh() {
  {
    std::lock_guard lock(mutex_);
    commands_.refresh = true;
  }
  wake_.notify_all();
}

bool SyncController::poll() {
  std::lock_guard lock(mutex_);
  if (shared_.revision == visible_.revision) return false;
  visible_ = shared_;
  return true;
}

void SyncController::publish(const std::function<void(SyncView&)>& change) {
  {
    std::lock_guard lock(mutex_);
    change(shared_);
    ++shared_.revision;
  }
  if (on_change_) on_change_();
}

std::unique_ptr<sync::Transport> SyncController::transport_to(const std::string& server, const sync::TlsTrust& trust) {
  sync::TransportOptions transport;
  transport.cancel = &cancel_;  // requests stop when the window closes
  return sync::make_curl_transport(server, trust, transport);
}

DeviceState SyncController::read_state(Store& store) {
  DeviceState state;
  auto enrollment = sync::load_enrollment(data_folder_);
  if (!enrollment) {
    state.store_error = enrollment.error();
    return state;
  }
  if (*enrollment) {
    const sync::Enrollment& e = **enrollment;
    state.enrolled = true;
    state.server = e.server;
    state.user_name = e.user_name;
    state.role = e.role;
    state.team = e.team;
    state.device_id = e.device_id;
  }
  auto waiting = store.waiting_records();
  auto last = store.setting("sync.last_success");
  auto rejections = store.rejections();
  if (!waiting || !last || !rejections) {
    state.store_error = !waiting ? waiting.error() : !last ? last.error() : rejections.error();
    return state;
  }
  state.waiting = *waiting;
  state.last_success = *last;
  state.rejections = std::move(*rejections);
  for (const SyncRejection& rejection : state.rejections) {
    auto record = store.get(rejection.record_id);
    state.rejected_titles.push_back(record && *record ? (*record)->title : std::string());
  }
  return state;
}

bool SyncController::has_sendable(Store& store) {
  auto waiting = store.waiting_records();
  auto refused = store.rejections();
  if (waiting && refused && *waiting > static_cast<std::int64_t>(refused->size())) return true;
  auto comments = store.pending_comment_count();  // a comment or a decision's reason written offline
  if (comments && *comments > 0) return true;
  auto entries = store.pending_report_entry_count();  // a progress evaluation or an actual written offline
  return entries && *entries > 0;
}

void SyncController::run_sync(Store& store, std::uint64_t ticket) {
  auto enrollment = sync::load_enrollment(data_folder_);
  if (!enrollment || !*enrollment) {
    Error error = !enrollment ? enrollment.error()
                              : make_error("sync.not_enrolled", "", "this device is not enrolled",
                                           "この端末は登録されていません");
    publish([&](SyncView& view) {
      view.running = false;
      view.finished_ticket = std::max(view.finished_ticket, ticket);
      view.result = sync::SyncResult::NotEnrolled;
      view.error = error;
      view.advice = SyncAdvice::Enroll;
    });
    return;
  }
  publish([](SyncView& view) {
    view.running = true;
    view.progress = {};
    view.error.reset();
    view.result.reset();
    view.advice = SyncAdvice::None;
  });
  auto transport = transport_to((*enrollment)->server, (*enrollment)->trust);
  sync::SyncEngine engine(store, *transport, **enrollment, options_.engine);
  sync::SyncOutcome outcome =
      engine.run([this](const sync::SyncProgress& progress) { publish([&](SyncView& view) { view.progress = progress; }); });
  if (auto status = sync::remember_pins(data_folder_, **enrollment, outcome); !status && outcome.error.code.empty())
    outcome.error = status.error();
  DeviceState state = read_state(store);
  publish([&](SyncView& view) {
    view.running = false;
    view.finished_ticket = std::max(view.finished_ticket, ticket);
    view.progress = outcome.progress;
    view.result = outcome.result;
    view.advice = advice_for(outcome.result, outcome.error);
    if (outcome.result == sync::SyncResult::Done || outcome.result == sync::SyncResult::Rejected)
      view.error.reset();
    else
      view.error = outcome.error;
    if (outcome.result == sync::SyncResult::Rejected && !outcome.rejections.empty())
      view.error = outcome.rejections.front().error;
    const bool answered = outcome.result == sync::SyncResult::Done || outcome.result == sync::SyncResult::Rejected;
    if (outcome.error.code != "net.cancelled")
      view.connection = answered ? Connection::Online
                        : outcome.result == sync::SyncResult::NotEnrolled ? Connection::Refusing
                                                                          : connection_for(outcome.error);
    view.device = std::move(state);
  });
}

void SyncController::run_enroll(Store& store, const std::string& line) {
  auto finish = [this](std::optional<Error> error) {
    publish([&](SyncView& view) {
      view.enrolling = false;
      view.enrolled_now = !error;
      view.enroll_error = std::move(error);
    });
  };
  auto parsed = sync::parse_enrollment_line(line);
  if (!parsed) return finish(parsed.error());
  const sync::TlsTrust trust{parsed->pin, ""};
  auto transport = transport_to(parsed->server, trust);
  auto enrollment = sync::enroll_device(*transport, parsed->server, trust, parsed->code, options_.device_name);
  if (!enrollment) return finish(enrollment.error());
  if (auto saved = sync::save_enrollment(data_folder_, *enrollment); !saved) return finish(saved.error());
  if (auto adopted = sync::adopt_enrollment(store, *enrollment); !adopted) return finish(adopted.error());
  DeviceState state = read_state(store);
  publish([&](SyncView& view) {
    view.enrolling = false;
    view.enrolled_now = true;
    view.enroll_error.reset();
    view.device = std::move(state);
    view.connection = Connection::Online;
    view.advice = SyncAdvice::None;
    view.error.reset();
    view.result.reset();
  });
}

std::optional<Connection> SyncController::probe() {
  auto enrollment = sync::load_enrollment(data_folder_);
  if (!enrollment || !*enrollment) return std::nullopt;
  auto transport = transport_to((*enrollment)->server, (*enrollment)->trust);
  sync::HttpRequest request;
  request.method = "GET";
  request.path = sync::kStatusPath;
  request.token = (*enrollment)->token;
  auto response = transport->send(request);
  if (!response && response.error().code == "net.cancelled") return std::nullopt;
  if (!response) return connection_for(response.error());
  if (response->status == 200) return Connection::Online;
  return connection_for(make_error("http." + std::to_string(response->status), "", "", ""));
}

void SyncController::run_worker() {
  std::unique_ptr<Store> store;
  auto next_probe = std::chrono::steady_clock::now();  // probe once at start
  auto last_synced = std::chrono::steady_clock::now();  // a sync asked or made by the probe; pull_interval counts from it
  for (;;) {
    Commands commands;
    {
      std::unique_lock lock(mutex_);
      auto has_work = [this] {
        return stopping_ || commands_.sync_ticket > 0 || commands_.refresh || commands_.enroll_line.has_value();
      };
      if (options_.probe_interval.count() > 0 && shared_.device.enrolled)
        wake_.wait_until(lock, next_probe, has_work);
      else
        wake_.wait(lock, has_work);
      if (stopping_) return;
      commands = std::move(commands_);
      commands_ = {};
    }
    if (!store) {
      auto opened = Store::open(data_folder_);
      if (!opened) {
        Error error = opened.error().with_context("open " + platform::path_to_utf8(data_folder_));
        publish([&](SyncView& view) {
          view.loaded = true;
          view.device.store_error = error;
          view.running = false;
          view.enrolling = false;
        });
        continue;  // a later command tries again
      }
      store = std::move(*opened);
    }
    if (commands.enroll_line) run_enroll(*store, *commands.enroll_line);
    if (commands.sync_ticket > 0) {
      run_sync(*store, commands.sync_ticket);
      last_synced = std::chrono::steady_clock::now();
      next_probe = last_synced + options_.probe_interval;
    }
    if (commands.refresh) {
      DeviceState state = read_state(*store);
      publish([&](SyncView& view) {
        view.loaded = true;
        view.device = std::move(state);
      });
    }
    if (options_.probe_interval.count() > 0 && std::chrono::steady_clock::now() >= next_probe) {
      // Records saved while the collector could not be reached go as soon as it can ("次に接続したときに送信"):
      // the sync then says how the collector answered.
      const std::optional<Connection> connection = probe();
      const bool pull_due = options_.pull_interval.count() > 0 &&
                            std::chrono::steady_clock::now() - last_synced >= options_.pull_interval;
      if (connection == Connection::Online && (pull_due || has_sendable(*store))) {
        run_sync(*store, 0);
        last_synced = std::chrono::steady_clock::now();
      }
      else if (connection)
        publish([&](SyncView& view) { view.connection = *connection; });
      next_probe = std::chrono::steady_clock::now() + options_.probe_interval;
    }
  }
}

}  // namespace tsunagi
