# Warnings are errors (brief: -Wall -Wextra -Werror).
set(GH_WARNING_FLAGS
    -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes -Wvla
    -Wimplicit-fallthrough -Wundef -Wno-unused-parameter)
add_compile_options(${GH_WARNING_FLAGS})
