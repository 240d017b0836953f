package dev.flotilla.migrate.exec;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Which statements the runner treats as MySQL commit points: all but plain DML and queries. */
class MysqlImplicitCommitTest {

    @ParameterizedTest
    @ValueSource(strings = {"INSERT INTO t VALUES (1);", "insert into t values (1);", "UPDATE t SET a = 1;",
        "DELETE FROM t;", "REPLACE INTO t VALUES (1);", "SELECT 1;", "  INSERT\nINTO t VALUES (1);",
        "INSERT INTO t SELECT * FROM u;"})
    void dmlAndQueriesNeverCommitOnTheirOwn(String sql) {
        assertThat(MysqlDialect.commitsImplicitly(sql)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"CREATE TABLE t (id int);", "CREATE INDEX i ON t (a);", "ALTER TABLE t ADD c int;",
        "DROP TABLE t;", "RENAME TABLE t TO u;", "TRUNCATE TABLE t;", "LOCK TABLES t WRITE;", "UNLOCK TABLES;",
        "SET autocommit = 1;", "GRANT SELECT ON t TO u;", "CREATE USER u;", "ANALYZE TABLE t;", "CALL p();",
        "START TRANSACTION;", "BEGIN;", "COMMIT;", "CREATE SEQUENCE s;", "FLUSH TABLES;",
        "/*!50001 CREATE VIEW v AS SELECT 1 */;", "CREATE TEMPORARY TABLE t (id int);", "INSERTX;",
        "WITH x AS (SELECT 1) SELECT * FROM x;", "LOAD DATA INFILE 'f' INTO TABLE t;", ""})
    void everythingElseIsACommitPoint(String sql) {
        assertThat(MysqlDialect.commitsImplicitly(sql)).isTrue();
    }
}
