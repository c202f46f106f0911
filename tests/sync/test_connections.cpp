// Connections to the collector: devices that keep their connection open between requests (the transport's
// keep-alive, transport.hpp) must not lock other devices out of the collector.
#include "tests/sync/sync_fixture.hpp"

namespace tsunagi::sync_tests {

TEST_CASE_METHOD(SyncFixture, "devices holding an idle connection do not lock other devices out",
                 "[sync][connections]") {
  // A field office of 20 laptops with the app open: each has asked something once and keeps its connection.
  constexpr int kDevices = 20;
  sync::TransportOptions quick;
  quick.connect_timeout_ms = 2000;  // the handshake of a served device takes milliseconds
  quick.timeout_ms = 5000;
  std::vector<std::unique_ptr<sync::Transport>> open;
  for (int i = 0; i < kDevices; ++i) {
    auto transport = sync::make_curl_transport(collector->url(), {collector->pin(), ""}, quick);
    auto answer = transport->send({"GET", sync::kStatusPath, "", ""});
    INFO("device " << i + 1 << ", while " << i << " others hold an idle connection: "
                   << (answer ? "HTTP " + std::to_string(answer->status) : answer.error().describe()));
    REQUIRE(answer);
    CHECK(answer->status == 200);
    open.push_back(std::move(transport));
  }
}

}  // namespace tsunagi::sync_tests
