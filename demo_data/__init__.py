"""Synthetic demo data in the contract's formats, with a small documented rate of defects.

Nothing here is real: municipalities and code lists are real reference data, every person,
provider, amount and outcome is invented. All BSNs are synthetic and pass the elfproef unless a
defect deliberately breaks them.
"""
