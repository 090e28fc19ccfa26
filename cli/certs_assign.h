// `esign certs assign`, for the `esign certs` command to register among its verbs.
#pragma once

#include "context.h"

namespace esign::cli {

// Adds `assign` under `certs_app`; the returned Command runs it when it was parsed.
Command add_certs_assign(CLI::App& certs_app, Context& ctx);

}  // namespace esign::cli
