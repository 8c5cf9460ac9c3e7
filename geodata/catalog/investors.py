"""The lead investor of an investment record, for grouping amounts by investor.

The `investor` column is free text as reported ("SoftBank (lead)", "SoftBank
Group", "Japan (tranche 1)"); grouping needs one name per investor. The rules,
in order:
1. the first of the record's `companies` whose first word starts the text
   ("Vantage (Oracle/OpenAI)" -> "Vantage Data Centers");
2. Japan's government, agencies and tranches -> "Japan";
3. otherwise the text before its first qualifier ("US Government (Commerce)" -> "US Government").
"""

from __future__ import annotations

import re

_QUALIFIER = re.compile(r"\s*(?:\(|\+|,|;|/| and ).*$")
_JAPAN = re.compile(r"^(government of )?japan\b", re.IGNORECASE)


def lead_investor(investor: str, companies: list[str]) -> str:
    text = " ".join(investor.split())
    lowered = text.casefold()
    for company in companies:
        first = company.split()[0].casefold()
        if lowered.startswith(first):
            return company
    if _JAPAN.match(text):
        return "Japan"
    return _QUALIFIER.sub("", text) or text
