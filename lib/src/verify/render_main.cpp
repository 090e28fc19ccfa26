// esign-render: the program `esign verify` runs to render and compare a PDF's revisions, so that
// poppler meets a hostile file in a process of its own (see verify/visual.h).
#include "verify/visual.h"

int main() { return esign::verify::run_renderer(); }
