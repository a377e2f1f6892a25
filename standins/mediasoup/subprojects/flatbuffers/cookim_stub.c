/* Empty translation unit: mediasoup link_whole()s a static library from this subproject, while the
 * real code comes from the shared system library found through pkg-config. */
typedef int cookim_stub_translation_unit_is_not_empty;
