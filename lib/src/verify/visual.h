// What a reader sees: the signed revision of each signature and the final revision of a PDF,
// rendered and compared page by page (poppler, in a separate program, esign-render, that a
// hostile file can crash or exhaust without taking the verifier with it).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "esign/bytes.h"
#include "esign/verify.h"

namespace esign::verify {

// Rendering resolution, and the largest page image (pixels) rendered: bigger pages are
// rendered at a lower resolution.
inline constexpr double kVisualDpi = 50;
inline constexpr std::size_t kMaxPagePixels = 4'000'000;
// Documents with more pages than this are not compared (INDETERMINATE).
inline constexpr std::size_t kMaxComparedPages = 2000;
// The renderer's CPU-time limit and the verifier's wall-clock deadline for its reply.
inline constexpr int kRenderDeadlineSeconds = 120;

// One signed revision to compare with the final one: where it ends, and the areas the changes
// after it may paint (RevisionReport::areas of the revisions after it).
struct VisualJob {
  std::size_t signed_end = 0;
  std::vector<PaintedArea> areas;
};

struct VisualResult {
  std::string error;  // the comparison could not be made (the renderer failed): why
  std::vector<VisualChange> changes;
};

// Renders the final revision (`data`) and each job's signed revision, and reports per job where
// they differ outside the job's areas, where an area that must not cover signed content does,
// and a change of the page count. One result per job, in order. Never throws for bad input.
// Runs esign-render (ESIGN_RENDERER, or installed under libexec/esign beside the binary).
std::vector<VisualResult> compare_renderings(ByteView data, const std::vector<VisualJob>& jobs);

// The request esign-render reads on its standard input (render.cpp, the program itself, is built
// apart so that only it links poppler): a text header naming the jobs and their areas, then the
// file's bytes.
//   esign-render 1\n  jobs K\n  (job END A\n  (area PAGE X0 Y0 X1 Y1 COVER\n) x A) x K  pdf SIZE\n  BYTES
std::string request_header(std::size_t size, const std::vector<VisualJob>& jobs);

}  // namespace esign::verify
