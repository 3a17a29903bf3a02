use lianjian_documents::{Font, FontError, DEFAULT_FONT_PATHS};

#[test]
fn default_font_paths_point_at_the_simplified_chinese_face() {
    let mut found = 0;
    for place in DEFAULT_FONT_PATHS {
        let Ok(bytes) = std::fs::read(place.path) else { continue };
        let font = Font::from_bytes(bytes, place.index).expect("the packaged font loads");
        assert_eq!(font.family_name(), place.family, "{}, face {}", place.path, place.index);
        found += 1;
    }
    assert!(found > 0, "no default font installed: apt-get install fonts-noto-cjk");
}

#[test]
fn a_collection_index_past_its_faces_is_refused() {
    let place = DEFAULT_FONT_PATHS[0];
    let bytes = std::fs::read(place.path).expect("apt-get install fonts-noto-cjk");
    assert_eq!(Font::from_bytes(bytes, 40).unwrap_err(), FontError::NotAFont { index: 40 });
}

/// fontconfig, which poppler-utils pulls in, depends on one of these Latin fonts.
const LATIN_FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
];

#[test]
fn a_latin_only_font_is_refused_in_chinese_for_lack_of_chinese_glyphs() {
    let bytes = LATIN_FONTS
        .iter()
        .find_map(|p| std::fs::read(p).ok())
        .expect("a Latin font (fonts-dejavu-core, which fontconfig depends on)");
    let err = Font::from_bytes(bytes, 0).unwrap_err();
    assert!(matches!(err, FontError::MissingGlyphs { .. }), "{err:?}");
    assert!(err.to_string().contains("缺少中文字形"), "{err}");
}
