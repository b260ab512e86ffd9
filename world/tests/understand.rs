//! Prompt understanding on what people type: the product's seed examples in English and
//! French, plurals and genders, spelling mistakes, emoji and hostile input.

use world::v2::{understand, Action, Light, Place, Relation, Scale, Weather};

fn emojis(text: &str) -> Vec<String> {
    understand(text).subjects.iter().map(|s| s.emoji.clone()).collect()
}

#[test]
fn seed_examples_in_english() {
    let u = understand("a cat dancing on a rooftop at sunset");
    assert_eq!(emojis("a cat dancing on a rooftop at sunset"), ["🐈"]);
    assert_eq!(
        (u.action, u.place, u.light),
        (Some(Action::Dance), Some(Place::Rooftop), Some(Light::Sunset))
    );
    assert!(u.ignored.is_empty(), "{:?}", u.ignored);

    let u = understand("a cat on the head of a figure skater doing a pirouette");
    assert_eq!(u.subjects.len(), 2, "{u:?}");
    assert_eq!(u.subjects[0].emoji, "🐈");
    assert_eq!(u.relation, Some(Relation::OnTop));
    assert_eq!(u.action, Some(Action::Spin));

    let u = understand("an elephant playing saxophone in a smoky New York jazz club");
    assert_eq!(
        emojis("an elephant playing saxophone in a smoky New York jazz club"),
        ["🐘", "🎷"]
    );
    assert_eq!(
        (u.relation, u.place, u.weather),
        (Some(Relation::Holding), Some(Place::Stage), Some(Weather::Fog))
    );

    let u = understand("a race of giant ducklings through a miniature city");
    assert_eq!(u.subjects.len(), 1);
    assert_eq!((u.subjects[0].count, u.subjects[0].scale), (3, Scale::Giant));
    assert_eq!((u.action, u.place), (Some(Action::Race), Some(Place::Street)));

    let u = understand("a polar bear walking on a snowy skyscraper in Tokyo at sunset");
    assert_eq!(u.subjects[0].emoji, "🐻\u{200d}❄\u{fe0f}");
    assert_eq!(
        (u.action, u.place, u.light, u.weather),
        (
            Some(Action::Walk),
            Some(Place::Rooftop),
            Some(Light::Sunset),
            Some(Weather::Snow)
        )
    );
}

#[test]
fn seed_examples_in_french() {
    let u = understand("un chat qui danse sur un toit au coucher du soleil");
    assert_eq!(u.subjects[0].emoji, "🐈");
    assert_eq!(
        (u.action, u.place, u.light),
        (Some(Action::Dance), Some(Place::Rooftop), Some(Light::Sunset))
    );
    assert!(u.ignored.is_empty(), "{:?}", u.ignored);

    let u = understand("un éléphant qui joue du saxophone dans un club de jazz enfumé à New York");
    assert_eq!(
        u.subjects.iter().map(|s| s.emoji.as_str()).collect::<Vec<_>>(),
        ["🐘", "🎷"]
    );
    assert_eq!(
        (u.relation, u.place, u.weather),
        (Some(Relation::Holding), Some(Place::Stage), Some(Weather::Fog))
    );

    let u = understand("un ours polaire qui marche sur un gratte-ciel enneigé à Tokyo au coucher du soleil");
    assert_eq!(u.subjects[0].name, "polar bear");
    assert_eq!(
        (u.action, u.place, u.weather),
        (Some(Action::Walk), Some(Place::Rooftop), Some(Weather::Snow))
    );

    let u = understand("une course de canetons géants à travers une ville miniature");
    assert_eq!((u.subjects[0].count, u.subjects[0].scale), (3, Scale::Giant));
    assert_eq!(u.action, Some(Action::Race));
}

#[test]
fn plurals_genders_and_spelling() {
    assert_eq!(understand("two dogs running on the beach").subjects[0].count, 2);
    assert_eq!(understand("des chattes qui dansent").subjects[0].name, "cat");
    assert_eq!(understand("three wolves").subjects[0].name, "wolf");
    let u = understand("an elefant swimming");
    assert_eq!(u.subjects[0].name, "elephant");
    assert_eq!(u.corrected, [("elefant".to_string(), "elephant".to_string())]);
}

#[test]
fn bad_input_gets_a_clear_result() {
    assert!(understand("").subjects.is_empty());
    let u = understand("🐱🏖️");
    assert_eq!(u.subjects[0].name, "cat face");
    let u = understand("a zorblax qwfp dancing");
    assert_eq!(u.ignored, ["zorblax", "qwfp"]);
    let long = "cat ".repeat(10_000);
    let u = understand(&long);
    assert!(u.truncated);
    assert_eq!(u.subjects.len(), 1);
    assert!(u.subjects[0].count <= 3);
    let u = understand("a cat qui danse on the plage");
    assert_eq!((u.action, u.place), (Some(Action::Dance), Some(Place::Beach)));
    let u = understand("@alice dancing with a dog");
    assert_eq!(u.subjects[0].name, "alice");
}
