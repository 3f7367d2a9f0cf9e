"""Word lists for the demo data: Chicago places, Illinois statutes, names. Fictional people only.

Phone numbers use the 555-01xx range reserved for fiction, e-mail the reserved example domains.
"""

from __future__ import annotations

FIRST_NAMES_F = (
    "Maria", "Guadalupe", "Ana", "Sofia", "Jasmine", "Keisha", "Emily", "Ashley", "Jessica", "Aaliyah",
    "Anh", "Mei", "Priya", "Fatima", "Olena", "Agnieszka", "Katarzyna", "Grace", "Chioma", "Rosa",
    "Yesenia", "Brianna", "Tanya", "Linh", "Elena", "Daniela", "Monique", "Hannah", "Aisha", "Leticia",
)
FIRST_NAMES_M = (
    "Jose", "Luis", "Juan", "Carlos", "Miguel", "James", "Michael", "Robert", "DeShawn", "Marcus",
    "Tyrone", "Daniel", "Kevin", "Andre", "Minh", "Wei", "Raj", "Omar", "Mohammed", "Piotr",
    "Tomasz", "Oleksandr", "Emeka", "Patrick", "Brian", "Jorge", "Alejandro", "Terrence", "Darnell", "Hector",
)
LAST_NAMES = (
    "Garcia", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Perez", "Sanchez", "Ramirez",
    "Torres", "Flores", "Rivera", "Gomez", "Diaz", "Mendoza", "Castillo", "Morales", "Ortiz", "Reyes",
    "Cruz", "Vargas", "Jimenez", "Johnson", "Williams", "Smith", "Brown", "Jones", "Davis", "Miller",
    "Wilson", "Moore", "Taylor", "Anderson", "Thomas", "Jackson", "White", "Harris", "Martin",
    "Thompson", "Robinson", "Clark", "Lewis", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Green", "Baker", "Carter", "Turner", "Washington", "Kowalski", "Nowak", "Wisniewski", "Kaminski",
    "Nguyen", "Tran", "Kim", "Lee", "Chen", "Wang", "Zhang", "Patel", "Shah", "Khan", "Ali",
    "Murphy", "O'Brien", "Sullivan", "Walsh", "Okafor", "Adeyemi", "Petrov", "Kovalenko", "Santos",
)

# (immigration_status, weight); None is the common case: the department is not supposed to ask.
IMMIGRATION_STATUSES = (
    (None, 70), ("U.S. citizen", 12), ("lawful permanent resident", 6), ("undocumented", 5),
    ("visa holder", 3), ("DACA recipient", 2), ("asylum applicant", 2),
)
# citizenship -> places of birth
BIRTHPLACES: dict[str, tuple[str, ...]] = {
    "United States": ("Chicago, Illinois", "Cicero, Illinois", "Gary, Indiana", "Detroit, Michigan",
                      "Jackson, Mississippi", "Milwaukee, Wisconsin"),
    "Mexico": ("Guadalajara, Jalisco, Mexico", "Mexico City, Mexico", "Morelia, Michoacan, Mexico",
               "Puebla, Mexico", "Durango, Mexico"),
    "Guatemala": ("Guatemala City, Guatemala", "Quetzaltenango, Guatemala"),
    "Honduras": ("Tegucigalpa, Honduras", "San Pedro Sula, Honduras"),
    "Venezuela": ("Caracas, Venezuela", "Maracaibo, Venezuela"),
    "Ecuador": ("Quito, Ecuador", "Guayaquil, Ecuador"),
    "Poland": ("Krakow, Poland", "Rzeszow, Poland"),
    "Ukraine": ("Lviv, Ukraine", "Kyiv, Ukraine"),
    "India": ("Ahmedabad, India", "Hyderabad, India"),
    "Philippines": ("Manila, Philippines", "Cebu City, Philippines"),
    "China": ("Guangzhou, China", "Fuzhou, China"),
    "Vietnam": ("Ho Chi Minh City, Vietnam", "Hue, Vietnam"),
    "Nigeria": ("Lagos, Nigeria", "Enugu, Nigeria"),
}
CITIZENSHIP_WEIGHTS = (
    ("United States", 60), ("Mexico", 14), ("Guatemala", 3), ("Honduras", 2), ("Venezuela", 3),
    ("Ecuador", 2), ("Poland", 4), ("Ukraine", 2), ("India", 3), ("Philippines", 2), ("China", 2),
    ("Vietnam", 1), ("Nigeria", 2),
)

DISTRICTS = (
    "001 Central", "002 Wentworth", "004 South Chicago", "007 Englewood", "008 Chicago Lawn",
    "009 Deering", "010 Ogden", "011 Harrison", "012 Near West", "014 Shakespeare", "015 Austin",
    "016 Jefferson Park", "017 Albany Park", "018 Near North", "019 Town Hall", "024 Rogers Park",
    "025 Grand Central",
)
JAIL = "Cook County Department of Corrections, 2700 S California Ave"
LOCKUPS = (
    "CPD Central Detention, 3510 S Michigan Ave",
    "CPD District 11 lockup, 3151 W Harrison St",
    "CPD District 7 lockup, 1438 W 63rd St",
    "CPD District 18 lockup, 1160 N Larrabee St",
)
CHARGES = (
    ("Retail theft", "720 ILCS 5/16-25"),
    ("Theft", "720 ILCS 5/16-1"),
    ("Burglary", "720 ILCS 5/19-1"),
    ("Domestic battery", "720 ILCS 5/12-3.2"),
    ("Aggravated battery", "720 ILCS 5/12-3.05"),
    ("Possession of a controlled substance", "720 ILCS 570/402"),
    ("Driving under the influence", "625 ILCS 5/11-501"),
    ("Driving while license suspended", "625 ILCS 5/6-303"),
    ("Aggravated unlawful use of a weapon", "720 ILCS 5/24-1.6"),
    ("Unlawful possession of a weapon by a felon", "720 ILCS 5/24-1.1"),
    ("Robbery", "720 ILCS 5/18-1"),
    ("Armed robbery", "720 ILCS 5/18-2"),
    ("Vehicular hijacking", "720 ILCS 5/18-3"),
    ("Criminal damage to property", "720 ILCS 5/21-1"),
    ("Criminal trespass to vehicle", "720 ILCS 5/21-2"),
)
COURTS = (
    "Circuit Court of Cook County, Criminal Division, 2650 S California Ave",
    "Circuit Court of Cook County, First Municipal District, Richard J. Daley Center",
    "Circuit Court of Cook County, Second Municipal District, Skokie",
    "Circuit Court of Cook County, Fifth Municipal District, Bridgeview",
    "Circuit Court of DuPage County, Wheaton",
)
JUDGES = (
    "Hon. Rosa Alvarez", "Hon. Daniel Okafor", "Hon. Margaret Brennan", "Hon. Sunil Patel",
    "Hon. Loretta Washington", "Hon. Karol Nowak", "Hon. Thomas Hughes", "Hon. Elena Romero",
)
GANG_FACTIONS = tuple(f"Set {n} ({side})" for n, side in (
    (3, "North Side"), (7, "West Side"), (11, "South Side"), (14, "Southwest Side"), (19, "Far South"),
    (22, "Northwest Side"), (27, "Near West"), (31, "Lower West"),
))
GANG_SOURCES = ("gang arrest card", "contact card", "field interview", "self-admission (disputed)")

# (location, latitude, longitude) of plate-reader cameras at real intersections.
CAMERAS = (
    ("N Lake Shore Dr & W Belmont Ave", 41.9402, -87.6390),
    ("W Fullerton Ave & N Pulaski Rd", 41.9246, -87.7267),
    ("S Cicero Ave & W 63rd St", 41.7786, -87.7424),
    ("W Cermak Rd & S Kedzie Ave", 41.8520, -87.7055),
    ("N Western Ave & W Lawrence Ave", 41.9686, -87.6887),
    ("S Halsted St & W 35th St", 41.8307, -87.6462),
    ("W Madison St & N Central Ave", 41.8804, -87.7650),
    ("S Ashland Ave & W 47th St", 41.8087, -87.6646),
    ("N Milwaukee Ave & W Diversey Ave", 41.9320, -87.7120),
    ("E 79th St & S Stony Island Ave", 41.7517, -87.5858),
    ("W 26th St & S Pulaski Rd", 41.8441, -87.7245),
    ("N Sheridan Rd & W Devon Ave", 41.9982, -87.6609),
    ("W North Ave & N Kostner Ave", 41.9097, -87.7364),
    ("S Western Ave & W 103rd St", 41.7066, -87.6818),
    ("W Irving Park Rd & N Harlem Ave", 41.9529, -87.8066),
    ("E 95th St & S Cottage Grove Ave", 41.7221, -87.6054),
)
STREETS = (
    "W 26th St", "S Pulaski Rd", "W Cermak Rd", "S Kedzie Ave", "N Milwaukee Ave", "W Division St",
    "S Halsted St", "W 18th St", "N Clark St", "W Armitage Ave", "S Ashland Ave", "W 47th St",
    "N Kimball Ave", "W Devon Ave", "S Damen Ave", "W Belmont Ave", "N Broadway", "S Western Ave",
)
ZIP_CODES = (
    "60608", "60609", "60612", "60616", "60618", "60619", "60620", "60623", "60624", "60625",
    "60629", "60632", "60639", "60640", "60641", "60645", "60647", "60651",
)
AREA_CODES = ("312", "773", "872")
EMPLOYERS = (
    None, None, None, "Self-employed", "Jewel-Osco", "Chicago Public Schools", "Rush University Medical Center",
    "O'Hare International Airport", "Restaurant, Pilsen", "Construction (day labor)", "Warehouse, Joliet",
    "City of Chicago", "Ride-share driver",
)
