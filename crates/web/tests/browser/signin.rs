//! Sign-in, sign-out and the forced first password change, through the real pages in Chromium.

use crate::harness::{self, eeb_officer};

const PASSWORD: &str = "Officer@2026";

#[test]
fn officer_signs_in_lands_on_eeb_workspace_and_signs_out() {
    harness::flow("officer_signs_in_lands_on_eeb_workspace_and_signs_out", |b| async move {
        b.create_account(eeb_officer("zhang.wei", "张伟", PASSWORD)).await?;

        b.sign_in("zhang.wei", PASSWORD).await?;
        b.wait_for_path("/eeb").await?;
        assert_eq!(b.attr("html", "lang").await?.as_deref(), Some("zh-CN"));
        let title = b.text("#workspace-title").await?;
        assert!(title.contains("区生态环境局"), "workspace title: {title}");
        let whoami = b.text("#whoami").await?;
        assert!(whoami.contains("张伟"), "#whoami: {whoami}");

        b.sign_out().await?;
        b.wait_for_path("/login").await?;
        assert!(b.exists("#username").await?, "the sign-in form is shown after signing out");
        assert!(!b.exists("#whoami").await?, "nobody is shown as signed in after signing out");

        // The session is gone: the workspace sends the browser back to the sign-in page.
        b.goto("/eeb").await?;
        b.wait_for_path("/login").await?;
        assert!(b.exists("#username").await?);
        Ok(())
    });
}

#[test]
fn wrong_password_is_refused_in_chinese() {
    harness::flow("wrong_password_is_refused_in_chinese", |b| async move {
        b.create_account(eeb_officer("li.na", "李娜", PASSWORD)).await?;

        b.sign_in("li.na", "Wrong@2026").await?;
        b.wait_for_path("/login").await?;
        let error = b.text("#login-error").await?;
        assert!(error.contains("口令错误"), "#login-error: {error}");
        // The username is kept, the password is not, and nobody is signed in.
        assert_eq!(b.find("#username").await?.prop("value").await?.as_deref(), Some("li.na"));
        assert_eq!(b.find("#password").await?.prop("value").await?.as_deref(), Some(""));
        assert!(!b.exists("#whoami").await?);
        b.goto("/eeb").await?;
        b.wait_for_path("/login").await?;
        Ok(())
    });
}

#[test]
fn first_sign_in_forces_a_password_change() {
    harness::flow("first_sign_in_forces_a_password_change", |b| async move {
        let mut account = eeb_officer("wang.fang", "王芳", PASSWORD);
        account.must_change_password = true;
        b.create_account(account).await?;

        b.sign_in("wang.fang", PASSWORD).await?;
        b.wait_for_path("/account/password").await?;
        // The workspace is out of reach until the password is changed.
        b.goto("/eeb").await?;
        b.wait_for_path("/account/password").await?;

        let new_password = "Changed#2027x";
        b.fill("input[name=old_password]", PASSWORD).await?;
        b.fill("input[name=new_password]", new_password).await?;
        b.submit("form[action='/account/password'] button[type=submit]").await?;
        b.wait_for_path("/eeb").await?;
        let title = b.text("#workspace-title").await?;
        assert!(title.contains("区生态环境局"), "workspace title: {title}");
        assert!(b.text("#whoami").await?.contains("王芳"));

        // The new password works and is not asked to be changed again; the old one is refused.
        b.sign_out().await?;
        b.sign_in("wang.fang", PASSWORD).await?;
        assert!(b.text("#login-error").await?.contains("口令错误"));
        b.sign_in("wang.fang", new_password).await?;
        b.wait_for_path("/eeb").await?;
        Ok(())
    });
}
