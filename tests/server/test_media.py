"""The media directory: where it is, and which file names bot tools may use (no traversal, no links
out, no URLs, no absolute paths, only the expected kinds of file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from realtimekit_mcp.server.media import (
    AUDIO_SUFFIXES,
    IMAGE_SUFFIXES,
    MediaPathError,
    media_file,
    resolve_media_dir,
)


def test_media_dir_comes_from_the_flag_then_the_environment_then_the_data_dir(tmp_path: Path) -> None:
    env = {"REALTIMEKIT_MEDIA_DIR": str(tmp_path / "env"), "REALTIMEKIT_DATA_DIR": str(tmp_path / "data")}
    assert resolve_media_dir(tmp_path / "flag", env) == tmp_path / "flag"
    assert resolve_media_dir(None, env) == tmp_path / "env"
    assert (
        resolve_media_dir(None, {"REALTIMEKIT_DATA_DIR": str(tmp_path / "data")})
        == tmp_path / "data" / "media"
    )
    assert resolve_media_dir(None, {}, data_dir=tmp_path / "emb") == tmp_path / "emb" / "media"
    assert resolve_media_dir(None, env, data_dir=tmp_path / "emb") == tmp_path / "env"
    assert resolve_media_dir(None, {}).name == "media"


@pytest.fixture
def media(tmp_path: Path) -> Path:
    root = tmp_path / "media"
    (root / "sub").mkdir(parents=True)
    (root / "a.wav").write_bytes(b"RIFF")
    (root / "sub" / "b.mp3").write_bytes(b"ID3")
    (root / "cover.png").write_bytes(b"\x89PNG")
    (tmp_path / "outside.wav").write_bytes(b"RIFF")
    (root / "out.wav").symlink_to(tmp_path / "outside.wav")
    (root / "in.wav").symlink_to(root / "a.wav")
    (root / "dirlink").symlink_to(tmp_path, target_is_directory=True)
    return root


def test_names_inside_the_media_dir_resolve_to_real_files(media: Path) -> None:
    assert media_file(media, "a.wav", AUDIO_SUFFIXES, "audio") == (media / "a.wav").resolve()
    assert media_file(media, "sub/b.mp3", AUDIO_SUFFIXES, "audio") == (media / "sub" / "b.mp3").resolve()
    # A link that stays inside the directory is fine; it resolves to its target.
    assert media_file(media, "in.wav", AUDIO_SUFFIXES, "audio") == (media / "a.wav").resolve()


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../outside.wav", "'..' is not allowed"),
        ("sub/../../outside.wav", "'..' is not allowed"),
        ("..\\outside.wav", "'..' is not allowed"),
        ("/etc/passwd", "not an absolute path"),
        ("C:\\Windows\\win.ini", "not an absolute path"),
        ("https://example.com/a.wav", "URLs are not fetched"),
        ("file:///etc/passwd", "URLs are not fetched"),
        ("data:audio/wav;base64,UklGRg==", "URLs are not fetched"),
        ("out.wav", "points outside the media directory"),
        ("dirlink/outside.wav", "points outside the media directory"),
        ("nothing.wav", "No file 'nothing.wav'"),
        ("sub", "is not a file"),
        ("cover.png", "is not audio"),
        ("", "Pass file"),
    ],
)
def test_names_that_leave_the_media_dir_or_are_not_media_are_refused(
    media: Path, name: str, reason: str
) -> None:
    with pytest.raises(MediaPathError, match=reason.replace("(", r"\(").replace(".", r"\.")):
        media_file(media, name, AUDIO_SUFFIXES, "audio")


def test_a_missing_media_dir_says_how_to_configure_it(tmp_path: Path) -> None:
    with pytest.raises(MediaPathError, match="--media-dir or REALTIMEKIT_MEDIA_DIR"):
        media_file(tmp_path / "none", "a.png", IMAGE_SUFFIXES, "an image")
