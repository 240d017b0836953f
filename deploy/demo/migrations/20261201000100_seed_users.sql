INSERT INTO users (id, name) VALUES (1, 'a8m');
INSERT INTO users (id, name) VALUES (2, 'rotemtam');
