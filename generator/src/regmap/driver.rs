//! The C driver of `regmap/` (`gca_driver.h`, `gca_driver.c`): identification, a head's
//! scalers, counters, STATUS and its clear, soft reset, window clear and enable, written
//! against the macros of `gca_regmap.h` only, so that the driver follows the register map.
//! The sources are near-static text (askama templates `generator/templates/gca_driver.*`);
//! only their first comment names the configuration.

use askama::Template;

use super::RegMap;

#[derive(Template)]
#[template(path = "gca_driver.h")]
struct Header<'a> {
    config: &'a str,
    hash: &'a str,
    version: &'a str,
}

#[derive(Template)]
#[template(path = "gca_driver.c")]
struct Source<'a> {
    config: &'a str,
    hash: &'a str,
    version: &'a str,
}

/// `gca_driver.h` and `gca_driver.c` for the register map's configuration.
pub fn driver(map: &RegMap) -> [(String, String); 2] {
    let (config, hash, version) = (
        map.config.as_str(),
        &map.config_hash[..16],
        map.generator_version.as_str(),
    );
    let header = Header {
        config,
        hash,
        version,
    };
    let source = Source {
        config,
        hash,
        version,
    };
    [
        (
            "gca_driver.h".to_string(),
            header.render().expect("the driver header renders"),
        ),
        (
            "gca_driver.c".to_string(),
            source.render().expect("the driver source renders"),
        ),
    ]
}
