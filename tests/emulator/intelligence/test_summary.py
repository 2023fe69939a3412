"""The offline extractive summariser: main points, speakers, topics, action items, limits, formats."""

from __future__ import annotations

from typing import Any

from realtimekit_mcp.emulator.intelligence import detect_action_items, summarize


def line(name: str, text: str, start_ms: int = 0) -> dict[str, Any]:
    return {"name": name, "text": text, "start_ms": start_ms}


STANDUP = [
    line("Alice", "Good morning everyone. Let us review the launch plan for the emulator.", 0),
    line("Bob", "The launch plan needs the transcript export and the webhook tests.", 4000),
    line("Alice", "I will finish the transcript export by Friday.", 9000),
    line("Carol", "Bob, can you check the webhook signatures before the launch?", 13000),
    line("Bob", "Sure. The webhook signatures use RSA keys and the launch depends on them.", 17000),
    line("Carol", "The weather is nice today.", 21000),
    line("Alice", "We should update the launch documentation next week.", 25000),
]


def test_action_items_have_owners_and_due_phrases() -> None:
    items = detect_action_items(STANDUP)
    by_text = {i.text: i for i in items}
    mine = by_text["I will finish the transcript export by Friday."]
    assert (mine.owner, mine.due) == ("Alice", "Friday")
    ask = by_text["Bob, can you check the webhook signatures before the launch?"]
    assert ask.owner == "Bob" and ask.speaker == "Carol"
    we = by_text["We should update the launch documentation next week."]
    assert we.owner == "Everyone"
    assert "The weather is nice today." not in by_text
    assert "Good morning everyone." not in by_text


def test_markdown_summary_has_every_section_and_the_speakers_shares() -> None:
    text = summarize(STANDUP, title="Stand-up", summary_type="daily_standup")
    assert text.startswith("# Summary of Stand-up\n")
    assert "**Type:** Daily stand-up" in text
    assert "**Participants:** Alice, Bob, Carol" in text
    assert "## Main points" in text and "## Action items" in text and "## Speakers" in text
    assert "- [ ] Alice: I will finish the transcript export by Friday. (due: Friday)" in text
    topics = next(ln for ln in text.splitlines() if ln.startswith("**Topics:**"))
    assert "launch" in topics
    shares = [ln for ln in text.split("## Speakers")[1].splitlines() if ln.startswith("- ")]
    assert [s.split(" (")[0] for s in shares] == ["- Alice", "- Bob", "- Carol"]
    assert sum(int(s.split("(")[1].rstrip("%)")) for s in shares) in (99, 100, 101)
    main = text.split("## Main points")[1].split("## Action items")[0]
    assert "weather" not in main  # off-topic chatter does not make the main points


def test_summaries_are_deterministic_and_plain_text_has_no_markdown() -> None:
    assert summarize(STANDUP, title="x") == summarize(STANDUP, title="x")
    plain = summarize(STANDUP, title="Stand-up", text_format="plain_text")
    assert plain.startswith("Summary of Stand-up\n") and "#" not in plain and "**" not in plain
    assert "Action items:" in plain and "Main points:" in plain


def test_the_word_limit_bounds_main_points_and_action_items() -> None:
    long = [
        line("Dana", f"The budget review of item {i} covers revenue costs and hiring plans.")
        for i in range(200)
    ]
    text = summarize(long, title="Budget", word_limit=150)
    main = text.split("## Main points")[1].split("## Action items")[0]
    assert len(main.split()) <= 150 + 2 * 10  # plus "- Dana:" per point
    assert main.count("- Dana:") <= 10


def test_an_empty_transcript_says_so() -> None:
    text = summarize([], title="Quiet")
    assert "- No discussion was transcribed." in text and "- None detected." in text


def test_the_profanity_filter_masks_all_but_the_first_letter() -> None:
    from realtimekit_mcp.emulator.intelligence import mask_profanity

    assert mask_profanity("This is Shit, damn it.") == "This is S***, d*** it."
    assert mask_profanity("Scunthorpe classic assessment") == "Scunthorpe classic assessment"
