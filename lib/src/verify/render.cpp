// esign-render: the program `esign verify` runs to render and compare a PDF's revisions (see
// verify/visual.h), so that poppler meets a hostile file in a process of its own, with CPU and
// address-space limits. Only this program links poppler; esign itself never loads it.
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <sstream>

#include "verify/visual.h"

namespace esign::verify {

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

constexpr rlim_t kMaxAddressSpace = rlim_t{4} << 30;
constexpr std::size_t kMaxAreas = 1 << 20;  // per job, in a request
// Widget and annotation rectangles are widened by this many pixels: their borders may touch the
// next pixel when rounded.
constexpr int kSlack = 2;

// Page space (points) to image pixels and back, for the page's crop box and /Rotate.
struct PageTransform {
  double cx0 = 0, cy0 = 0, cx1 = 0, cy1 = 0, scale = 1;
  int rotate = 0;  // 0, 90, 180, 270: clockwise, as poppler renders

  void to_pixels(double x, double y, double& px, double& py) const {
    switch (rotate) {
      case 90: px = (y - cy0) * scale, py = (x - cx0) * scale; return;
      case 180: px = (cx1 - x) * scale, py = (y - cy0) * scale; return;
      case 270: px = (cy1 - y) * scale, py = (cx1 - x) * scale; return;
      default: px = (x - cx0) * scale, py = (cy1 - y) * scale; return;
    }
  }
  void to_points(double px, double py, double& x, double& y) const {
    switch (rotate) {
      case 90: y = px / scale + cy0, x = py / scale + cx0; return;
      case 180: x = cx1 - px / scale, y = py / scale + cy0; return;
      case 270: y = cy1 - px / scale, x = cx1 - py / scale; return;
      default: x = px / scale + cx0, y = cy1 - py / scale; return;
    }
  }
};

// A pixel rectangle, [x0, x1) x [y0, y1).
struct PixelBox {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool empty() const { return x0 >= x1 || y0 >= y1; }
};

PixelBox to_pixel_box(const PageTransform& t, const PageBox& b, int slack, int w, int h) {
  double ax, ay, bx, by;
  t.to_pixels(b.x0, b.y0, ax, ay);
  t.to_pixels(b.x1, b.y1, bx, by);
  PixelBox p{static_cast<int>(std::floor(std::min(ax, bx))) - slack, static_cast<int>(std::floor(std::min(ay, by))) - slack,
             static_cast<int>(std::ceil(std::max(ax, bx))) + slack, static_cast<int>(std::ceil(std::max(ay, by))) + slack};
  p.x0 = std::clamp(p.x0, 0, w), p.x1 = std::clamp(p.x1, 0, w);
  p.y0 = std::clamp(p.y0, 0, h), p.y1 = std::clamp(p.y1, 0, h);
  return p;
}

PageBox to_page_box(const PageTransform& t, std::size_t page, const PixelBox& p) {
  double ax, ay, bx, by;
  t.to_points(p.x0, p.y0, ax, ay);
  t.to_points(p.x1, p.y1, bx, by);
  return {page, std::min(ax, bx), std::min(ay, by), std::max(ax, bx), std::max(ay, by)};
}

std::uint32_t pixel(const poppler::image& img, int x, int y) {
  std::uint32_t v;
  std::memcpy(&v, img.const_data() + static_cast<std::size_t>(y) * img.bytes_per_row() + static_cast<std::size_t>(x) * 4, 4);
  return v;
}

// Whether the image shows more than one colour inside `box`.
bool shows_something(const poppler::image& img, const PixelBox& box) {
  if (box.empty()) return false;
  const std::uint32_t first = pixel(img, box.x0, box.y0);
  for (int y = box.y0; y < box.y1; ++y)
    for (int x = box.x0; x < box.x1; ++x)
      if (pixel(img, x, y) != first) return true;
  return false;
}

struct LoadedDocument {
  std::unique_ptr<poppler::document> doc;
  int pages = 0;
};

LoadedDocument load(ByteView bytes) {
  LoadedDocument d;
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX)) return d;
  d.doc.reset(poppler::document::load_from_raw_data(reinterpret_cast<const char*>(bytes.data()), static_cast<int>(bytes.size())));
  if (d.doc && !d.doc->is_locked()) d.pages = d.doc->pages();
  else d.doc.reset();
  return d;
}

PageTransform transform_of(const poppler::page& page) {
  PageTransform t;
  const poppler::rectf box = page.page_rect(poppler::crop_box);
  t.cx0 = box.x(), t.cy0 = box.y(), t.cx1 = box.x() + box.width(), t.cy1 = box.y() + box.height();
  switch (page.orientation()) {
    case poppler::page::landscape: t.rotate = 90; break;
    case poppler::page::upside_down: t.rotate = 180; break;
    case poppler::page::seascape: t.rotate = 270; break;
    default: t.rotate = 0; break;
  }
  const double pixels = std::abs(box.width() * box.height()) * (kVisualDpi / 72) * (kVisualDpi / 72);
  t.scale = kVisualDpi / 72;
  if (pixels > static_cast<double>(kMaxPagePixels)) t.scale *= std::sqrt(static_cast<double>(kMaxPagePixels) / pixels);
  return t;
}

poppler::image render(const poppler::page_renderer& renderer, const poppler::page& page, const PageTransform& t) {
  const double dpi = t.scale * 72;
  return renderer.render_page(&page, dpi, dpi);
}

void quiet(const std::string&, void*) {}

// The renderer's work: writes one line per finding ("J PAGE X0 Y0 X1 Y1 WHAT"), "E J MESSAGE" for a
// job that cannot be compared, and "done" at the end.
std::string compare_pages(ByteView data, const std::vector<VisualJob>& jobs) {
  std::ostringstream out;
  poppler::set_debug_error_function(quiet, nullptr);
  LoadedDocument final_doc = load(data);
  if (!final_doc.doc) {
    for (std::size_t j = 0; j < jobs.size(); ++j) out << "E " << j << " the renderer cannot open the final revision\n";
    out << "done\n";
    return out.str();
  }
  std::vector<LoadedDocument> signed_docs;
  std::vector<bool> open(jobs.size(), true);
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    signed_docs.push_back(load(data.first(std::min(jobs[j].signed_end, data.size()))));
    if (!signed_docs.back().doc) {
      out << "E " << j << " the renderer cannot open the signed revision\n";
      open[j] = false;
    } else if (signed_docs.back().pages != final_doc.pages) {
      out << j << " 0 0 0 0 0 page count " << signed_docs.back().pages << " -> " << final_doc.pages << "\n";
    }
  }
  if (static_cast<std::size_t>(final_doc.pages) > kMaxComparedPages) {
    for (std::size_t j = 0; j < jobs.size(); ++j)
      if (open[j]) out << "E " << j << " more than " << kMaxComparedPages << " pages to render\n";
    out << "done\n";
    return out.str();
  }
  poppler::page_renderer renderer;
  renderer.set_render_hints(0);  // no anti-aliasing: the same content gives the same pixels
  renderer.set_image_format(poppler::image::format_argb32);
  for (int i = 0; i < final_doc.pages; ++i) {
    const std::size_t number = static_cast<std::size_t>(i) + 1;
    std::unique_ptr<poppler::page> now(final_doc.doc->create_page(i));
    if (!now) continue;
    const PageTransform t = transform_of(*now);
    std::optional<poppler::image> after;
    for (std::size_t j = 0; j < jobs.size(); ++j) {
      if (!open[j] || i >= signed_docs[j].pages) continue;
      std::unique_ptr<poppler::page> then(signed_docs[j].doc->create_page(i));
      if (!then) continue;
      if (!after) after = render(renderer, *now, t);
      const poppler::image before = render(renderer, *then, t);
      const int w = after->width(), h = after->height();
      if (!after->is_valid() || !before.is_valid() || before.width() != w || before.height() != h) {
        const PageBox whole{number, t.cx0, t.cy0, t.cx1, t.cy1};
        out << j << ' ' << number << ' ' << whole.x0 << ' ' << whole.y0 << ' ' << whole.x1 << ' ' << whole.y1 << " changed\n";
        continue;
      }
      // What may differ: the allowed areas on this page.
      std::vector<PixelBox> allowed;
      for (const PaintedArea& a : jobs[j].areas) {
        if (a.box.page != number) continue;
        allowed.push_back(to_pixel_box(t, a.box, kSlack, w, h));
        if (a.must_not_cover && shows_something(before, to_pixel_box(t, a.box, -1, w, h)))
          out << j << ' ' << number << ' ' << a.box.x0 << ' ' << a.box.y0 << ' ' << a.box.x1 << ' ' << a.box.y1
              << " covers signed content\n";
      }
      PixelBox diff{w, h, 0, 0};
      for (int y = 0; y < h; ++y) {
        const char* ra = after->const_data() + static_cast<std::size_t>(y) * after->bytes_per_row();
        const char* rb = before.const_data() + static_cast<std::size_t>(y) * before.bytes_per_row();
        if (std::memcmp(ra, rb, static_cast<std::size_t>(w) * 4) == 0) continue;
        for (int x = 0; x < w; ++x) {
          if (std::memcmp(ra + x * 4, rb + x * 4, 4) == 0) continue;
          const bool expected = std::any_of(allowed.begin(), allowed.end(),
                                            [&](const PixelBox& b) { return x >= b.x0 && x < b.x1 && y >= b.y0 && y < b.y1; });
          if (expected) continue;
          diff.x0 = std::min(diff.x0, x), diff.y0 = std::min(diff.y0, y);
          diff.x1 = std::max(diff.x1, x + 1), diff.y1 = std::max(diff.y1, y + 1);
        }
      }
      if (!diff.empty()) {
        const PageBox b = to_page_box(t, number, diff);
        out << j << ' ' << number << ' ' << b.x0 << ' ' << b.y0 << ' ' << b.x1 << ' ' << b.y1 << " changed\n";
      }
    }
  }
  out << "done\n";
  return out.str();
}

void write_all(int fd, const std::string& text) {
  std::size_t at = 0;
  while (at < text.size()) {
    ssize_t n = ::write(fd, text.data() + at, text.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    at += static_cast<std::size_t>(n);
  }
}

// Reads a request written by request_header; nullopt when it is not one.
std::optional<std::pair<std::vector<VisualJob>, ByteView>> read_request(ByteView in) {
  std::string_view text = as_chars(in);
  std::size_t at = 0;
  const auto line = [&]() -> std::optional<std::string> {
    const std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos || end - at > 512) return std::nullopt;
    std::string l(text.substr(at, end - at));
    at = end + 1;
    return l;
  };
  std::optional<std::string> l = line();
  std::size_t count = 0;
  if (!l || *l != "esign-render 1" || !(l = line()) || std::sscanf(l->c_str(), "jobs %zu", &count) != 1 || count > 4096)
    return std::nullopt;
  std::vector<VisualJob> jobs(count);
  for (VisualJob& j : jobs) {
    std::size_t areas = 0;
    if (!(l = line()) || std::sscanf(l->c_str(), "job %zu %zu", &j.signed_end, &areas) != 2 || areas > kMaxAreas)
      return std::nullopt;
    j.areas.resize(areas);
    for (PaintedArea& a : j.areas) {
      int cover = 0;
      if (!(l = line()) || std::sscanf(l->c_str(), "area %zu %lf %lf %lf %lf %d", &a.box.page, &a.box.x0, &a.box.y0, &a.box.x1,
                                       &a.box.y1, &cover) != 6)
        return std::nullopt;
      a.must_not_cover = cover != 0;
    }
  }
  std::size_t size = 0;
  if (!(l = line()) || std::sscanf(l->c_str(), "pdf %zu", &size) != 1 || size != in.size() - at) return std::nullopt;
  return std::make_pair(std::move(jobs), in.subspan(at));
}

// Reads the request compare_renderings writes on standard input, limits its own CPU time and
// memory, renders, and writes the findings on standard output. Returns the exit status (0, 2 for
// a malformed request, 3 when rendering threw).
int run_renderer() {
  rlimit cpu{kRenderDeadlineSeconds, kRenderDeadlineSeconds};
  ::setrlimit(RLIMIT_CPU, &cpu);
  if (!kSanitized) {  // ASan reserves terabytes of address space up front
    rlimit as{kMaxAddressSpace, kMaxAddressSpace};
    ::setrlimit(RLIMIT_AS, &as);
  }
  rlimit core{0, 0};
  ::setrlimit(RLIMIT_CORE, &core);
  struct stat st {};
  if (::fstat(STDIN_FILENO, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) return 2;
  void* map = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, STDIN_FILENO, 0);
  if (map == MAP_FAILED) return 2;
  std::optional<std::pair<std::vector<VisualJob>, ByteView>> request =
      read_request(ByteView(static_cast<const std::uint8_t*>(map), static_cast<std::size_t>(st.st_size)));
  if (!request) return 2;
  std::string reply;
  try {
    reply = compare_pages(request->second, request->first);
  } catch (...) {
    return 3;
  }
  write_all(STDOUT_FILENO, reply);
  return 0;
}

}  // namespace
}  // namespace esign::verify

int main() { return esign::verify::run_renderer(); }
