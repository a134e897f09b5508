"""``[quality]``: the thresholds of the quality gate (see :mod:`translator_pipeline.quality`).

The defaults hold a variant only when it is plainly broken (a quarter of its
segments with a serious fault, or a broken title), keep it out of search
engines when some of it is doubtful, and publish the rest. ``action`` is the
strongest step the gate may take: ``publish-noindex`` or ``report`` lowers it
for a deployment (held variants then go out on the next run).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["QualitySettings"]


class QualitySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    action: Literal["hold", "publish-noindex", "report"] = Field(
        "hold",
        description="the strongest decision the gate may take: hold (not published), "
        "publish-noindex (published, kept out of search engines) or report (signals only)",
    )
    min_score: float = Field(
        -1.5, le=0, description="mean token log-probability below which a segment is doubtful"
    )
    severe_score: float = Field(
        -3.0, le=0, description="mean token log-probability below which it is broken"
    )
    hold_share: float = Field(
        0.25, gt=0, le=1, description="share of broken segments from which a variant is held"
    )
    noindex_share: float = Field(
        0.15,
        gt=0,
        le=1,
        description="share of doubtful segments from which a variant is not indexed "
        "(one broken segment suffices)",
    )
    hold_on_title: bool = Field(True, description="hold a variant whose title is broken")
    length_ratio: float = Field(
        2.2,
        gt=1,
        description="how many times longer or shorter than usual for the language pair "
        "a segment's translation may be before it is doubtful (twice that: broken)",
    )
    min_words: int = Field(
        4, ge=1, description="segments with fewer source words skip the language checks"
    )

    @model_validator(mode="after")
    def _ordered(self) -> QualitySettings:
        if self.severe_score > self.min_score:
            raise ValueError("severe_score must not be above min_score")
        return self
