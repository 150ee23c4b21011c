"""Fernhill Labs: the fictional 63-person company of ``laddersheet demo``.

Hand-written so the demo reads like a real org chart: nine teams, eleven managers, IC levels
L1-L5 and manager levels M1-M3, two people aiming at the other track. Names are invented.
"""

from __future__ import annotations

import unicodedata

from .roster import ROSTER_COLUMNS

COMPANY = "Fernhill Labs"
CEO = ("E000", "Dana Whitfield")  # scores the directors; not evaluated herself

# (manager key, manager name, family_id, manager level, reports to key,
#  [(name, family_id, level, target_level or "")])
TEAMS: list[tuple[str, str, str, str, str, list[tuple[str, str, str, str]]]] = [
    ("eng_dir", "Priya Raman", "software_engineering", "M3", "ceo", []),
    (
        "eng_platform",
        "Marcus Okafor",
        "software_engineering",
        "M2",
        "eng_dir",
        [
            ("Lena Fischer", "software_engineering", "L5", ""),
            ("Tomás Herrera", "software_engineering", "L4", "M1"),
            ("Aisha Bello", "software_engineering", "L3", ""),
            ("Kenji Watanabe", "software_engineering", "L3", ""),
            ("Sofia Marino", "software_engineering", "L2", ""),
            ("Daniel Kowalski", "quality_assurance", "L2", ""),
            ("Grace Liu", "software_engineering", "L1", ""),
        ],
    ),
    (
        "eng_product",
        "Hannah Brooks",
        "software_engineering",
        "M1",
        "eng_dir",
        [
            ("Omar Haddad", "software_engineering", "L4", ""),
            ("Zoë Lindqvist", "software_engineering", "L3", ""),
            ("Ravi Shankar", "software_engineering", "L2", ""),
            ("Emily Carter", "software_engineering", "L2", ""),
            ("Jonas Becker", "devops_sre", "L3", ""),
            ("Nadia Petrova", "software_engineering", "L1", ""),
        ],
    ),
    (
        "cs",
        "Olivia Grant",
        "customer_success",
        "M2",
        "ceo",
        [
            ("Samuel Osei", "customer_success", "L4", "M1"),
            ("Chloé Dubois", "customer_success", "L3", ""),
            ("Ben Adler", "customer_success", "L3", ""),
            ("Maya Patel", "customer_success", "L2", ""),
            ("Lucas Silva", "customer_success", "L2", ""),
            ("Ava Thompson", "customer_success", "L1", ""),
        ],
    ),
    (
        "sales",
        "Ethan Moore",
        "sales",
        "M2",
        "ceo",
        [
            ("Isabella Rossi", "sales", "L4", ""),
            ("Noah Kim", "sales", "L3", ""),
            ("Fatima Zahra", "sales", "L3", ""),
            ("Liam O'Connor", "sales", "L2", ""),
            ("Mia Jensen", "sales", "L2", ""),
            ("Yusuf Demir", "sales_development", "L2", ""),
            ("Ella Novak", "sales_development", "L1", ""),
            ("Jack Turner", "sales_development", "L1", ""),
        ],
    ),
    (
        "product",
        "Rachel Stein",
        "product_management",
        "M2",
        "ceo",
        [
            ("Arjun Mehta", "product_management", "L4", ""),
            ("Clara Schmidt", "product_management", "L3", ""),
            ("Leo Martin", "product_management", "L2", ""),
            ("Hana Sato", "product_management", "L3", ""),
            ("Mateo García", "design", "L3", ""),
            ("Ingrid Berg", "design", "L2", ""),
        ],
    ),
    (
        "marketing",
        "Victor Alvarez",
        "marketing",
        "M1",
        "ceo",
        [
            ("Sara Lindgren", "marketing", "L3", ""),
            ("Kwame Mensah", "marketing", "L2", ""),
            ("Julia Weber", "marketing", "L2", ""),
            ("Tyler Reed", "marketing", "L1", ""),
        ],
    ),
    (
        "data",
        "Mei Chen",
        "data_analytics",
        "M1",
        "ceo",
        [
            ("Elif Yilmaz", "data_analytics", "L3", ""),
            ("Patrick Doyle", "data_analytics", "L2", ""),
            ("Anya Ivanova", "data_analytics", "L2", ""),
            ("Diego Ramos", "data_analytics", "L1", ""),
        ],
    ),
    (
        "people",
        "Nora Lindberg",
        "people_operations",
        "M1",
        "ceo",
        [
            ("Amara Nwosu", "people_operations", "L3", ""),
            ("Felix Wagner", "recruiting", "L2", ""),
            ("Lucy Evans", "recruiting", "L3", ""),
        ],
    ),
    (
        "finance",
        "George Papadopoulos",
        "finance_accounting",
        "M1",
        "ceo",
        [
            ("Ines Costa", "finance_accounting", "L4", ""),
            ("Oscar Nilsson", "finance_accounting", "L2", ""),
            ("Priyanka Iyer", "finance_accounting", "L1", ""),
        ],
    ),
    (
        "support",
        "Ruth Abebe",
        "customer_support",
        "M1",
        "cs",
        [
            ("Kofi Boateng", "customer_support", "L3", ""),
            ("Alice Moreau", "customer_support", "L2", ""),
            ("Sven Larsen", "customer_support", "L2", ""),
            ("Layla Hassan", "customer_support", "L1", ""),
            ("Peter Novak", "customer_support", "L1", ""),
        ],
    ),
]


def roster_rows() -> list[dict[str, str]]:
    """The roster as rows keyed by ``ROSTER_COLUMNS``, managers before their reports."""
    ids: dict[str, tuple[str, str]] = {"ceo": CEO}
    rows: list[dict[str, str]] = []
    counter = 1

    def add(name: str, family: str, level: str, target: str, manager: tuple[str, str]) -> str:
        nonlocal counter
        employee_id = f"E{counter:03d}"
        counter += 1
        plain = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
        email = plain.replace(" ", ".").replace("'", "") or employee_id.lower()
        values = (employee_id, name, f"{email}@fernhill.example", *manager, family)
        values += ("M" if level.startswith("M") else "IC", level, target)
        rows.append(dict(zip(ROSTER_COLUMNS, values, strict=True)))
        return employee_id

    for key, name, family, level, boss, reports in TEAMS:
        manager = ids[boss]
        ids[key] = (add(name, family, level, "", manager), name)
        for report_name, report_family, report_level, target in reports:
            add(report_name, report_family, report_level, target, ids[key])
    return rows
