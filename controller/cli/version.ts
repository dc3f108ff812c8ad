/** drover's version, shown by `drover --version` and in build_info. */
export const VERSION = '0.1.0';
