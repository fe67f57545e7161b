"""The demo portfolio's ingredients: the source study's proportions and plausible partners."""

from dataclasses import dataclass

from assessments.models import CollaborationType, FunderType, OrganisationType

# New requests per year: the study's joint centres per year set up (2012-2021), then a steady office.
YEAR_WEIGHTS = {
    2012: 9, 2013: 8, 2014: 12, 2015: 15, 2016: 20, 2017: 18, 2018: 27, 2019: 15,
    2020: 4, 2021: 1, 2022: 6, 2023: 8, 2024: 10, 2025: 12, 2026: 9,
}  # fmt: skip
DEFAULT_COUNT = sum(YEAR_WEIGHTS.values())

# The study's top subjects of 156 centres (discipline code: centres).
DISCIPLINE_WEIGHTS = {
    "engineering": 28, "environment-ecology": 17, "materials-science": 17,
    "multidisciplinary": 15, "computer-science": 15, "clinical-medicine": 12,
    "agricultural-sciences": 11, "social-sciences": 10, "space-science": 7,
    "arts-humanities": 6, "immunology": 5, "economics-business": 4,
    "pharmacology-toxicology": 3, "molecular-biology-genetics": 2,
    "biology-biochemistry": 2, "plant-animal-science": 2,
}  # fmt: skip

# The study's centres mapped to NSI sectors; about a third touched none.
SECTOR_WEIGHTS = {
    "synthetic-biology": 47, "advanced-materials": 21, "energy": 15,
    "artificial-intelligence": 8, "satellite-and-space": 8, "communications": 4,
    "transport": 4, "data-infrastructure": 3, "quantum-technologies": 2,
    "military-and-dual-use": 1,
}  # fmt: skip
NO_SECTOR_SHARE = 0.35
SENSITIVE_SECTORS = {"military-and-dual-use", "quantum-technologies", "satellite-and-space"}

DEPARTMENT_BY_DISCIPLINE = {
    "engineering": "engineering", "materials-science": "engineering",
    "space-science": "engineering", "environment-ecology": "engineering",
    "computer-science": "computer-science", "multidisciplinary": "computer-science",
    "clinical-medicine": "medicine", "immunology": "medicine",
    "pharmacology-toxicology": "medicine", "molecular-biology-genetics": "medicine",
    "biology-biochemistry": "chemistry", "plant-animal-science": "chemistry",
    "agricultural-sciences": "chemistry", "social-sciences": "history",
    "arts-humanities": "history", "economics-business": "history",
}  # fmt: skip

TOPICS = {
    "engineering": ["low-carbon manufacturing", "smart infrastructure", "offshore wind structures"],
    "environment-ecology": ["river basin ecology", "urban air quality", "coastal wetland carbon"],
    "materials-science": [
        "battery cathode materials",
        "graphene composites",
        "functional ceramics",
    ],
    "multidisciplinary": ["sustainable cities", "healthy ageing", "food systems"],
    "computer-science": [
        "trustworthy machine learning",
        "edge computing",
        "natural language tools",
    ],
    "clinical-medicine": ["stroke rehabilitation", "liver cancer outcomes", "diabetes care"],
    "agricultural-sciences": ["rice crop resilience", "soil health", "precision irrigation"],
    "social-sciences": ["migration and cities", "urban governance", "labour markets"],
    "space-science": ["space weather", "planetary imaging", "small satellite payloads"],
    "arts-humanities": ["Silk Road manuscripts", "museum collections", "translation studies"],
    "immunology": ["vaccine response", "autoimmune disease"],
    "economics-business": ["trade and supply chains", "green finance"],
    "pharmacology-toxicology": ["drug metabolism", "herbal medicine safety"],
    "molecular-biology-genetics": ["crop genomics"],
    "biology-biochemistry": ["enzyme engineering"],
    "plant-animal-science": ["aquaculture health"],
}
FORMATS = {
    CollaborationType.JOINT_CENTRE: "Joint research centre for {topic}",
    CollaborationType.JOINT_PROJECT: "Joint project on {topic}",
    CollaborationType.VISITING: "Visiting researcher exchange in {topic}",
    CollaborationType.FRAMEWORK: "Framework agreement on {topic}",
    CollaborationType.DATA_SHARING: "Data sharing for {topic}",
    CollaborationType.CO_AUTHORSHIP: "Co-authored study of {topic}",
}
COLLABORATION_WEIGHTS = {
    CollaborationType.JOINT_CENTRE: 30, CollaborationType.JOINT_PROJECT: 35,
    CollaborationType.VISITING: 12, CollaborationType.FRAMEWORK: 10,
    CollaborationType.DATA_SHARING: 8, CollaborationType.CO_AUTHORSHIP: 5,
}  # fmt: skip


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    native: str
    country: str
    city: str
    weight: int
    org_type: str = OrganisationType.UNIVERSITY
    # Defence links as a tracker would rate them: raises the request's tier.
    risk: str = ""


U, R, C = OrganisationType.UNIVERSITY, OrganisationType.RESEARCH_INSTITUTE, OrganisationType.COMPANY
ORGANISATIONS = [
    # China: Jiangsu most, then Beijing, Zhejiang, Guangdong; then Shandong; then the rest.
    DemoOrganisation("Southeast University", "东南大学", "CN", "Jiangsu", 40),
    DemoOrganisation("Nanjing University", "南京大学", "CN", "Jiangsu", 16),
    DemoOrganisation("Soochow University", "苏州大学", "CN", "Jiangsu", 8),
    DemoOrganisation(
        "Nanjing University of Aeronautics and Astronautics",
        "南京航空航天大学",
        "CN",
        "Jiangsu",
        4,
        U,
        "very_high",
    ),
    DemoOrganisation("Tsinghua University", "清华大学", "CN", "Beijing", 14, U, "high"),
    DemoOrganisation("Peking University", "北京大学", "CN", "Beijing", 10),
    DemoOrganisation("Beihang University", "北京航空航天大学", "CN", "Beijing", 3, U, "very_high"),
    DemoOrganisation("Chinese Academy of Sciences", "中国科学院", "CN", "Beijing", 12, R, "high"),
    DemoOrganisation("Zhejiang University", "浙江大学", "CN", "Zhejiang", 12, U, "high"),
    DemoOrganisation(
        "Ningbo Institute of Materials Technology",
        "中国科学院宁波材料技术与工程研究所",
        "CN",
        "Zhejiang",
        3,
        R,
    ),
    DemoOrganisation("Sun Yat-sen University", "中山大学", "CN", "Guangdong", 9),
    DemoOrganisation("South China University of Technology", "华南理工大学", "CN", "Guangdong", 6),
    DemoOrganisation(
        "Shenzhen Smart Grid Co., Ltd.", "深圳智能电网有限公司", "CN", "Guangdong", 2, C
    ),
    DemoOrganisation("Shandong University", "山东大学", "CN", "Shandong", 7),
    DemoOrganisation("Ocean University of China", "中国海洋大学", "CN", "Shandong", 4),
    DemoOrganisation(
        "Dalian University of Technology", "大连理工大学", "CN", "Liaoning", 4, U, "medium"
    ),
    DemoOrganisation("Sichuan University", "四川大学", "CN", "Sichuan", 4),
    DemoOrganisation("Wuhan University", "武汉大学", "CN", "Hubei", 4),
    DemoOrganisation("Fudan University", "复旦大学", "CN", "Shanghai", 4),
    DemoOrganisation(
        "Shanghai Jiao Tong University", "上海交通大学", "CN", "Shanghai", 4, U, "high"
    ),
    DemoOrganisation(
        "Harbin Institute of Technology", "哈尔滨工业大学", "CN", "Heilongjiang", 2, U, "very_high"
    ),
    # UK co-partners, as in the study's network.
    DemoOrganisation("University of Cambridge", "", "GB", "Cambridge", 24),
    DemoOrganisation("University of Edinburgh", "", "GB", "Edinburgh", 16),
    DemoOrganisation("University of Nottingham", "", "GB", "Nottingham", 4),
    DemoOrganisation("University of Liverpool", "", "GB", "Liverpool", 3),
    # Elsewhere: the same review, whatever the country.
    DemoOrganisation(
        "Technical University of Munich", "Technische Universität München", "DE", "Bavaria", 4
    ),
    DemoOrganisation("National University of Singapore", "", "SG", "Singapore", 4),
    DemoOrganisation("Indian Institute of Technology Delhi", "", "IN", "Delhi", 3),
    DemoOrganisation("University of São Paulo", "Universidade de São Paulo", "BR", "São Paulo", 2),
    DemoOrganisation(
        "King Abdullah University of Science and Technology",
        "جامعة الملك عبدالله للعلوم والتقنية",
        "SA",
        "Makkah",
        2,
        U,
        "medium",
    ),
    DemoOrganisation("University of Tokyo", "東京大学", "JP", "Tokyo", 3),
    # The long tail: organisations met once or twice, as in any real network.
    *[
        DemoOrganisation(name, native, country, city, 1)
        for name, native, country, city in [
            ("Xi'an Jiaotong University", "西安交通大学", "CN", "Shaanxi"),
            ("Hunan University", "湖南大学", "CN", "Hunan"),
            ("Central South University", "中南大学", "CN", "Hunan"),
            ("Jilin University", "吉林大学", "CN", "Jilin"),
            ("Xiamen University", "厦门大学", "CN", "Fujian"),
            ("Chongqing University", "重庆大学", "CN", "Chongqing"),
            ("Tianjin University", "天津大学", "CN", "Tianjin"),
            ("Nankai University", "南开大学", "CN", "Tianjin"),
            ("Lanzhou University", "兰州大学", "CN", "Gansu"),
            ("China Agricultural University", "中国农业大学", "CN", "Beijing"),
            ("Jiangnan University", "江南大学", "CN", "Jiangsu"),
            ("Hohai University", "河海大学", "CN", "Jiangsu"),
            ("Zhengzhou University", "郑州大学", "CN", "Henan"),
            ("Yunnan University", "云南大学", "CN", "Yunnan"),
            ("Northeastern University", "东北大学", "CN", "Liaoning"),
            ("University of Leeds", "", "GB", "Leeds"),
            ("Cardiff University", "", "GB", "Cardiff"),
            ("University of Glasgow", "", "GB", "Glasgow"),
            ("University of Toronto", "", "CA", "Ontario"),
            ("Monash University", "", "AU", "Victoria"),
        ]
    ],
]
FUNDERS = {
    "CN": [
        ("National Natural Science Foundation of China", FunderType.PARTNER_GOVERNMENT),
        ("Chinese Academy of Sciences", FunderType.PARTNER_INSTITUTION),
        ("Ministry of Science and Technology", FunderType.PARTNER_GOVERNMENT),
        ("Jiangsu Science and Technology Department", FunderType.PARTNER_GOVERNMENT),
    ],
    "GB": [
        ("UK Research and Innovation", FunderType.UK_PUBLIC),
        ("Innovate UK", FunderType.UK_PUBLIC),
        ("British Council", FunderType.UK_PUBLIC),
    ],
}
LEAD_ACADEMICS = [
    "Dr Helen Marsh", "Prof. Wei Zhang", "Dr Owen Price", "Prof. Aisha Bello", "Dr Li Na",
    "Prof. Graham Shaw", "Dr Fiona Reid", "Dr Chen Hao", "Prof. Ruth Adeyemi", "Dr Kiran Patel",
    "Dr James Whitaker", "Prof. Sofia Romano", "Dr Yusuf Karim", "Dr Emma Lloyd",
]  # fmt: skip


CONDITION_TEXTS = [
    "Export-control classification confirmed by the research-contracts team before any transfer.",
    "Data-sharing agreement signed; no personal data leaves the UK without it.",
    "Staff travelling to the partner country complete the travel-safety briefing.",
    "Annual report to the central office on the partnership's outputs and visitors.",
    "Laboratory access limited to named visitors under supervision.",
]
