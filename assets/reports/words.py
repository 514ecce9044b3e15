"""The letters' own words for published codes (NJi levels, the competition authority's HHI bands,
the top-5 share bands): wording, not data."""

from __future__ import annotations

# the NJi Databank Effectieve Jeugdinterventies' own words for its levels
NJI_LEVELS = {"effectief - sterke aanwijzingen": "effectief volgens sterke aanwijzingen",
              "effectief - goede aanwijzingen": "effectief volgens goede aanwijzingen",
              "effectief - eerste aanwijzingen": "effectief volgens eerste aanwijzingen",
              "goed onderbouwd": "goed onderbouwd", "niet beoordeeld": "niet beoordeeld door het NJi"}
# the competition authority's bands of the HHI (queries/landscape.sql: hhi_band)
HHI_LEVEL = {"below 1500": "niet geconcentreerd", "1500-2500": "matig geconcentreerd",
             "above 2500": "sterk geconcentreerd"}
TOP5_BAND = {"below 25": "minder dan een kwart", "25-50": "tussen een kwart en de helft",
             "50-75": "tussen de helft en driekwart", "above 75": "meer dan driekwart"}
