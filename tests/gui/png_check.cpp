// tsunagi_png_check FILE.png: fails unless FILE.png is a plausible screenshot of the window: at least 640x400,
// not one flat colour (>= 2 % of pixels differ from the most common colour) and with anti-aliased text in it
// (>= 50 distinct colours).
#include <stb_image.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <unordered_map>

namespace {

constexpr int kMinWidth = 640, kMinHeight = 400;
constexpr double kMinDifferentShare = 0.02;
constexpr std::size_t kMinColours = 50;

struct ImageDeleter {
  void operator()(unsigned char* pixels) const { stbi_image_free(pixels); }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: tsunagi_png_check FILE.png\n");
    return 2;
  }
  int width = 0, height = 0, channels = 0;
  std::unique_ptr<unsigned char, ImageDeleter> pixels(stbi_load(argv[1], &width, &height, &channels, 3));
  if (!pixels) {
    std::fprintf(stderr, "png_check: %s: cannot load: %s\n", argv[1], stbi_failure_reason());
    return 1;
  }
  if (width < kMinWidth || height < kMinHeight) {
    std::fprintf(stderr, "png_check: %s: %dx%d is smaller than %dx%d\n", argv[1], width, height, kMinWidth, kMinHeight);
    return 1;
  }
  const std::size_t count = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  std::unordered_map<std::uint32_t, std::size_t> histogram;
  const unsigned char* p = pixels.get();
  for (std::size_t i = 0; i < count; ++i, p += 3)
    ++histogram[(std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2]];
  std::uint32_t common = 0;
  std::size_t common_count = 0;
  for (const auto& [colour, n] : histogram)
    if (n > common_count) common = colour, common_count = n;
  const double different = 1.0 - static_cast<double>(common_count) / static_cast<double>(count);
  std::printf("png_check: %s: %dx%d, %zu colours, %.1f %% differ from #%06x\n", argv[1], width, height,
              histogram.size(), different * 100.0, common);
  if (different < kMinDifferentShare) {
    std::fprintf(stderr, "png_check: %s: looks blank (only %.2f %% of pixels differ from the background)\n", argv[1],
                 different * 100.0);
    return 1;
  }
  if (histogram.size() < kMinColours) {
    std::fprintf(stderr, "png_check: %s: only %zu distinct colours; expected anti-aliased text (>= %zu)\n", argv[1],
                 histogram.size(), kMinColours);
    return 1;
  }
  return 0;
}
