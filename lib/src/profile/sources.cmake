target_sources(esign_core PRIVATE
  src/profile/profile.cpp
  src/profile/search.cpp
  src/profile/render.cpp
  src/profile/auth_config.cpp
)
# The example profiles live in <prefix>/share/esign/profiles; the binary finds them from its own
# folder (<prefix>/bin; ESIGN_DATADIR_FROM_BINDIR is set in the top CMakeLists.txt), so an install
# under another prefix still finds its own examples.
set_source_files_properties(src/profile/search.cpp PROPERTIES COMPILE_DEFINITIONS
  "ESIGN_DATADIR_FROM_BINDIR=\"${ESIGN_DATADIR_FROM_BINDIR}\";ESIGN_INSTALL_FULL_DATADIR=\"${CMAKE_INSTALL_FULL_DATADIR}\"")
