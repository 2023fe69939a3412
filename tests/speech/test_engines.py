"""The registry, model verification and the deterministic engines (no models needed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realtimekit_mcp.speech import SpeechUnavailableError, available, get_stt, get_tts, get_vad
from realtimekit_mcp.speech.audio import resample, split_sentences
from realtimekit_mcp.speech.deterministic import ALPHABET, normalise
from realtimekit_mcp.speech.models import verify_files
from realtimekit_mcp.speech.protocols import STTEngine, TTSEngine, VADEngine
from realtimekit_mcp.speech.registry import clear_cache

INSTALL = "pip install 'realtimekit-mcp[speech]'"


def test_the_registry_names_real_and_test_engines() -> None:
    names = available()
    assert {"piper", "test"} <= set(names["tts"])
    assert {"faster-whisper", "test"} <= set(names["stt"])
    assert {"silero", "test"} <= set(names["vad"])


def test_engines_are_loaded_once_per_option_set() -> None:
    assert get_tts("test") is get_tts("test")
    assert get_tts("test") is not get_tts("test", amplitude=0.2)
    assert isinstance(get_tts("test"), TTSEngine)
    assert isinstance(get_stt("test"), STTEngine)
    assert isinstance(get_vad("test"), VADEngine)


def test_an_unknown_engine_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known: piper, test"):
        get_tts("espeak")


@pytest.mark.parametrize(
    ("get", "name", "module"),
    [
        (get_tts, "piper", "piper"),
        (get_stt, "faster-whisper", "faster_whisper"),
        (get_vad, "silero", "onnxruntime"),
    ],
)
def test_without_the_extra_real_engines_say_what_to_install(
    monkeypatch: pytest.MonkeyPatch, get: object, name: str, module: str
) -> None:
    clear_cache()
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    with pytest.raises(SpeechUnavailableError) as info:
        get(name)  # type: ignore[operator]
    assert INSTALL in str(info.value)
    clear_cache()


def test_a_model_file_with_the_wrong_hash_is_refused(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"not the weights")
    with pytest.raises(SpeechUnavailableError, match="refusing to load"):
        verify_files(tmp_path, {"model.bin": "0" * 64})
    with pytest.raises(SpeechUnavailableError, match="missing"):
        verify_files(tmp_path, {"config.json": "0" * 64})


def test_a_hub_model_name_is_refused_unless_downloads_are_allowed() -> None:
    pytest.importorskip("faster_whisper")
    with pytest.raises(SpeechUnavailableError, match="allow_download"):
        get_stt("faster-whisper", model="base.en")


def test_a_custom_piper_voice_must_exist_with_its_config(tmp_path: Path) -> None:
    pytest.importorskip("piper")
    (tmp_path / "voice.onnx").write_bytes(b"x")
    with pytest.raises(SpeechUnavailableError, match=r"voice\.onnx\.json is missing"):
        get_tts("piper", model=tmp_path / "voice.onnx")


def test_sentences_are_split_at_their_ends_and_long_ones_at_commas() -> None:
    assert split_sentences('Hello there. How are you?  Fine! "Quoted." Next\nline') == [
        "Hello there.",
        "How are you?",
        "Fine!",
        '"Quoted."',
        "Next",
        "line",
    ]
    long = ", ".join(["a few words here"] * 30) + "."
    parts = split_sentences(long)
    assert len(parts) > 1 and all(len(p) <= 240 for p in parts)
    assert " ".join(parts) == long
    assert split_sentences("  \n ") == []


def test_resampling_keeps_the_duration() -> None:
    pcm = get_tts("test").synthesize("abc")
    assert abs(len(resample(pcm, 48_000, 22_050)) / 2 / 22_050 - len(pcm) / 2 / 48_000) < 0.002
    assert resample(pcm, 48_000, 48_000) is pcm


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet=ALPHABET + "ABC\u00e9#", max_size=24))
def test_the_test_stt_decodes_the_test_tts_exactly(text: str) -> None:
    tts, stt = get_tts("test"), get_stt("test")
    assert stt.transcribe(tts.synthesize(text)).text == normalise(text)


def test_the_test_engines_survive_resampling_and_misalignment() -> None:
    text = "Is 42 the answer? it's -- ok."
    pcm = b"\0" * 334 + get_tts("test").synthesize(text)
    there_and_back = resample(resample(pcm, 48_000, 16_000), 16_000, 48_000)
    assert get_stt("test").transcribe(there_and_back).text == normalise(text)
    assert get_stt("test", sample_rate=16_000).transcribe(resample(pcm, 48_000, 16_000)).text == normalise(
        text
    )
