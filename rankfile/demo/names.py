"""Common UK first and last names for synthetic demo people (written for the demo)."""

FIRST_NAMES = (
    "Oliver", "Amelia", "Jack", "Olivia", "Harry", "Isla", "George", "Emily", "Charlie", "Ava",
    "Jacob", "Jessica", "Thomas", "Lily", "Noah", "Sophie", "William", "Grace", "Oscar", "Mia",
    "James", "Poppy", "Leo", "Ella", "Joshua", "Evie", "Alfie", "Chloe", "Henry", "Ruby",
    "Mohammed", "Aisha", "Daniel", "Fatima", "Samuel", "Zara", "Joseph", "Hannah", "David",
    "Sarah", "Michael", "Emma", "Paul", "Claire", "Mark", "Helen", "Andrew", "Rachel",
    "Peter", "Susan", "John", "Margaret", "Robert", "Patricia", "Stephen", "Karen", "Kwame",
    "Adaeze", "Priya", "Ravi", "Tomasz", "Agnieszka", "Siobhan", "Declan", "Rhys", "Megan",
    "Ewan", "Catriona", "Tariq", "Nadia", "Femi", "Chidi", "Yusuf", "Maryam", "Dylan", "Bethan",
)

LAST_NAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
    "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood",
    "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King",
    "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis",
    "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook",
    "Carter", "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox",
    "Khan", "Ahmed", "Ali", "Hussain", "Begum", "Singh", "Kaur", "Okafor", "Mensah",
    "Nowak", "Kowalski", "O'Brien", "Murray", "Campbell", "Stewart", "Reid", "Macdonald",
)
