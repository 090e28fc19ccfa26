target_sources(esign_core PRIVATE
  src/verify/cms_check.cpp
  src/verify/outcome.cpp
  src/verify/verify_pdf.cpp
  src/verify/verifier.cpp
  src/verify/report_format.cpp
  src/verify/etsi_report.cpp
  src/verify/text.cpp
  src/verify/revocation_check.cpp
  src/verify/revisions.cpp
  src/verify/visual.cpp
)
# The renderer program (visual.h): installed to <prefix>/libexec/esign, found from the binary's
# folder; the build tree mirrors the layout (build/cli/esign -> build/libexec/esign/esign-render).
set_source_files_properties(src/verify/visual.cpp PROPERTIES COMPILE_DEFINITIONS
  "ESIGN_LIBEXECDIR_FROM_BINDIR=\"${ESIGN_LIBEXECDIR_FROM_BINDIR}\";ESIGN_INSTALL_FULL_LIBEXECDIR=\"${CMAKE_INSTALL_FULL_LIBEXECDIR}\"")
if(NOT ESIGN_FUZZ)
  # Only the renderer links poppler (and what poppler pulls in): esign starts without it.
  add_executable(esign-render src/verify/render.cpp)
  target_include_directories(esign-render PRIVATE src)
  target_link_libraries(esign-render PRIVATE esign::core PkgConfig::POPPLER_CPP)
  get_filename_component(ESIGN_BUILD_LIBEXECDIR "${CMAKE_BINARY_DIR}/cli/${ESIGN_LIBEXECDIR_FROM_BINDIR}" ABSOLUTE)
  set_target_properties(esign-render PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${ESIGN_BUILD_LIBEXECDIR}/esign)
  install(TARGETS esign-render RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/esign)
endif()
