target_sources(esign_core PRIVATE
  src/profile/profile.cpp
  src/profile/auth_config.cpp
)
set_source_files_properties(src/profile/profile.cpp PROPERTIES
  COMPILE_DEFINITIONS "ESIGN_REPO_PROFILES_DIR=\"${PROJECT_SOURCE_DIR}/profiles\"")
