//! Renders documents and reads them back with poppler (`pdftotext`, `pdfinfo`, `pdffonts`): the text must
//! come out whole and in reading order, on A4, in one embedded subset font. Needs the Debian packages
//! `poppler-utils` and `fonts-noto-cjk` (CI installs both).

mod font;
mod notice;
mod props;
mod record;
mod samples;
mod support;
