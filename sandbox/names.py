"""People's names shared by the synthetic accounts (BC2 and Backpack).

A few entries carry apostrophes and non-ASCII letters on purpose: they exercise escaping and
UTF-8 handling in clients.
"""

FIRST_NAMES = (
    "Jason", "Jeremy", "David", "Nick", "Ann", "Maria", "José", "Zoë", "Priya", "Kenji",
    "Fatima", "Lars", "Chloé", "Omar", "Grace", "Ivan", "Mei", "Tom", "Sara", "Ravi",
    "Elena", "Noah", "Aisha", "Pablo", "Hana", "Oliver", "Leila", "Mateo", "Ines", "Yusuf",
    "Clara", "Felix", "Nora", "Diego", "Amara", "Hugo", "Lena", "Theo", "Rosa", "Samir",
)

LAST_NAMES = (
    "Fried", "Kemper", "Hansson", "Quaranto", "Ramírez", "Okafor", "Nakamura", "Schmidt",
    "Novak", "Haddad", "Kowalski", "Larsen", "O'Brien", "Dubois", "Silva", "Chen", "Patel",
    "Rossi", "Jensen", "Moreau", "Ahmed", "Keller", "Lindqvist", "Tanaka", "Costa", "Weber",
    "Ivanova", "Nguyen", "García", "Müller", "Byrne", "Sato", "Fischer", "Popescu", "Horvat",
    "Mensah", "Eriksen", "Ortiz", "Yilmaz", "Walsh",
)
